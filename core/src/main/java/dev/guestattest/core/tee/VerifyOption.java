package dev.guestattest.core.tee;

import java.util.Objects;

/**
 * A TEE-specific option of {@code verify}: {@code --name FILE} whose content becomes aux part
 * {@code auxPart} of the evidence (e.g. CCA's {@code --cpak} → {@code cpak}).
 */
public record VerifyOption(String name, String paramLabel, String description, String auxPart) {
    public VerifyOption {
        Objects.requireNonNull(auxPart, "auxPart");
        if (!name.startsWith("--")) {
            throw new IllegalArgumentException("option " + name + " must start with --");
        }
    }
}
