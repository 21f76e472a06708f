// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a provider may depend on, injected so that tests and emulators are deterministic
 * (go-sev-guest's options style). Obtain with {@link #defaults()} and adjust with the withers.
 *
 * @param stateDir where emulators keep platform keys and state
 * @param configfsRoot the configfs-tsm report directory
 * @param deviceDir where vendor character devices live
 * @param quoteTimeout the bound on one quote or report generation
 * @param settings vendor-specific settings, e.g. {@code tdx.quote-version=5}
 * @param random the randomness source for keys and nonces
 * @param clock the time source for certificates
 */
public record ProviderContext(Path stateDir, Path configfsRoot, Path deviceDir, Duration quoteTimeout,
                              Map<String, String> settings, SecureRandom random, Clock clock) {
    public static final Path DEFAULT_CONFIGFS_ROOT = Path.of("/sys/kernel/config/tsm/report");
    public static final Duration DEFAULT_QUOTE_TIMEOUT = Duration.ofSeconds(30);
    /** The part after a provider's name in {@code name:argument} (e.g. {@code tpm/swtpm:127.0.0.1:2321}). */
    public static final String PROVIDER_ARGUMENT = "provider.argument";

    public ProviderContext {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(configfsRoot, "configfsRoot");
        Objects.requireNonNull(deviceDir, "deviceDir");
        Objects.requireNonNull(quoteTimeout, "quoteTimeout");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(clock, "clock");
        if (quoteTimeout.isNegative() || quoteTimeout.isZero()) {
            throw AttestationException.invalid("quote timeout", "must be positive, got " + quoteTimeout);
        }
        settings = Map.copyOf(settings);
    }

    /** The state directory: {@code $GUEST_ATTEST_STATE_DIR}, else {@code ~/.guest-attest}. */
    public static Path defaultStateDir() {
        String env = System.getenv("GUEST_ATTEST_STATE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".guest-attest");
    }

    public static ProviderContext defaults() {
        return new ProviderContext(defaultStateDir(), DEFAULT_CONFIGFS_ROOT, Path.of("/dev"),
                DEFAULT_QUOTE_TIMEOUT, Map.of(), new SecureRandom(), Clock.systemUTC());
    }

    public Optional<String> setting(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    public ProviderContext withStateDir(Path dir) {
        return new ProviderContext(dir, configfsRoot, deviceDir, quoteTimeout, settings, random, clock);
    }

    public ProviderContext withConfigfsRoot(Path root) {
        return new ProviderContext(stateDir, root, deviceDir, quoteTimeout, settings, random, clock);
    }

    public ProviderContext withDeviceDir(Path dir) {
        return new ProviderContext(stateDir, configfsRoot, dir, quoteTimeout, settings, random, clock);
    }

    public ProviderContext withQuoteTimeout(Duration timeout) {
        return new ProviderContext(stateDir, configfsRoot, deviceDir, timeout, settings, random, clock);
    }

    public ProviderContext withSetting(String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(settings);
        copy.put(key, value);
        return new ProviderContext(stateDir, configfsRoot, deviceDir, quoteTimeout, copy, random, clock);
    }

    public ProviderContext withRandom(SecureRandom r) {
        return new ProviderContext(stateDir, configfsRoot, deviceDir, quoteTimeout, settings, r, clock);
    }

    public ProviderContext withClock(Clock c) {
        return new ProviderContext(stateDir, configfsRoot, deviceDir, quoteTimeout, settings, random, c);
    }
}
