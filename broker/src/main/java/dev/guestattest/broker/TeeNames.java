package dev.guestattest.broker;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TEEs this broker appraises, the names Trustee's guests use for them, and the aux parts only
 * the verifier may supply. One file on purpose: a TEE self-description SPI is to replace it.
 */
final class TeeNames {
    private static final Set<String> TEES = Set.of("tdx", "snp", "cca", "cove", "s390", "tpm");
    private static final Map<String, String> TRUSTEE_NAMES = Map.of("se", "s390", "sample", "none");
    /** Aux parts that are trust anchors or verifier secrets: only the broker's configuration supplies them. */
    private static final Set<String> VERIFIER_PARTS = Set.of("cpak", "ak", "secret", "image");

    private TeeNames() {
    }

    /** This broker's name for {@code name} (Trustee's {@code se} is {@code s390}); refuses a TEE it does not appraise. */
    static String canonical(String name) {
        String n = TRUSTEE_NAMES.getOrDefault(name, name);
        if (!TEES.contains(n)) {
            throw new BrokerException(Refusal.UNKNOWN_TEE, "tee '" + name + "' is not one this broker appraises " + new TreeSet<>(all()));
        }
        return n;
    }

    /** Whether aux part {@code aux} is a trust anchor or verifier secret, which a guest may not send. */
    static boolean isVerifierPart(String aux) {
        return VERIFIER_PARTS.contains(aux);
    }

    static Set<String> all() {
        return TEES;
    }
}
