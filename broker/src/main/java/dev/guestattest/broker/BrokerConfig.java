package dev.guestattest.broker;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.freshness.RuntimeData;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a broker behaves: how long a challenge may wait for its attestation, how long a token (or an
 * attested session) may read resources, the extra trust anchors for each TEE's evidence (an
 * emulator's root, a private CA), trust anchors that are auxiliary parts (the CCA CPAK, a TPM's pinned AK: by TEE, then
 * part name; the broker supplies them, a guest may not), the hash that binds runtime data into
 * report data, how many auth requests and appraisals one client may make per second, how many refused
 * admin calls one client may make per minute, and how long audit entries are kept.
 */
public record BrokerConfig(Duration sessionLifetime, Duration tokenLifetime, Map<String, List<X509Certificate>> roots,
                           Map<String, Map<String, Bytes>> trustedAux, RuntimeData.Hash runtimeDataHash, int authPerClientPerSecond,
                           Duration auditRetention, int appraisePerClientPerSecond, int adminFailuresPerClientPerMinute) {
    public static final BrokerConfig DEFAULT = new BrokerConfig(Duration.ofMinutes(5), Duration.ofMinutes(5), Map.of(), Map.of(),
            RuntimeData.Hash.SHA384, 100, Duration.ofDays(90), 10, 10);

    public BrokerConfig {
        Objects.requireNonNull(sessionLifetime, "sessionLifetime");
        Objects.requireNonNull(tokenLifetime, "tokenLifetime");
        Objects.requireNonNull(runtimeDataHash, "runtimeDataHash");
        Map<String, List<X509Certificate>> r = new java.util.HashMap<>();
        roots.forEach((k, v) -> r.put(k, List.copyOf(v)));
        roots = Map.copyOf(r);
        Map<String, Map<String, Bytes>> t = new java.util.HashMap<>();
        trustedAux.forEach((k, v) -> t.put(k, Map.copyOf(v)));
        trustedAux = Map.copyOf(t);
        atLeastOne("authPerClientPerSecond", authPerClientPerSecond);
        atLeastOne("appraisePerClientPerSecond", appraisePerClientPerSecond);
        atLeastOne("adminFailuresPerClientPerMinute", adminFailuresPerClientPerMinute);
        Objects.requireNonNull(auditRetention, "auditRetention");
    }

    private static void atLeastOne(String field, int value) {
        if (value < 1) {
            throw AttestationException.invalid(field, "must be at least 1, not " + value);
        }
    }

    /** Trusts {@code r} (in the order the TEE's verifier wants: SNP takes the ARK first) for {@code tee}'s evidence. */
    public BrokerConfig withRoots(String tee, List<X509Certificate> r) {
        Map<String, List<X509Certificate>> m = new java.util.HashMap<>(roots);
        m.put(tee, r);
        return new BrokerConfig(sessionLifetime, tokenLifetime, m, trustedAux, runtimeDataHash, authPerClientPerSecond, auditRetention,
                appraisePerClientPerSecond, adminFailuresPerClientPerMinute);
    }

    /** Adds a trust anchor the broker supplies as aux part {@code name} for {@code tee}'s evidence. */
    public BrokerConfig withTrustedAux(String tee, String name, Bytes value) {
        Map<String, Map<String, Bytes>> t = new java.util.HashMap<>(trustedAux);
        Map<String, Bytes> parts = new java.util.HashMap<>(t.getOrDefault(tee, Map.of()));
        parts.put(name, value);
        t.put(tee, parts);
        return new BrokerConfig(sessionLifetime, tokenLifetime, roots, t, runtimeDataHash, authPerClientPerSecond, auditRetention,
                appraisePerClientPerSecond, adminFailuresPerClientPerMinute);
    }

    public BrokerConfig withSessionLifetime(Duration d) {
        return new BrokerConfig(d, tokenLifetime, roots, trustedAux, runtimeDataHash, authPerClientPerSecond, auditRetention,
                appraisePerClientPerSecond, adminFailuresPerClientPerMinute);
    }

    /** Audit entries older than this are deleted now and then (the audit log is the broker's one unbounded table otherwise). */
    public BrokerConfig withAuditRetention(Duration d) {
        return new BrokerConfig(sessionLifetime, tokenLifetime, roots, trustedAux, runtimeDataHash, authPerClientPerSecond, d,
                appraisePerClientPerSecond, adminFailuresPerClientPerMinute);
    }

    public BrokerConfig withAuthRate(int perSecond) {
        return new BrokerConfig(sessionLifetime, tokenLifetime, roots, trustedAux, runtimeDataHash, perSecond, auditRetention,
                appraisePerClientPerSecond, adminFailuresPerClientPerMinute);
    }

    /** {@code /appraise} is unauthenticated and each appraisal is audited: this bounds both per client. */
    public BrokerConfig withAppraiseRate(int perSecond) {
        return new BrokerConfig(sessionLifetime, tokenLifetime, roots, trustedAux, runtimeDataHash, authPerClientPerSecond, auditRetention,
                perSecond, adminFailuresPerClientPerMinute);
    }

    /** Refused admin calls (a wrong token, a bad document) one client may make per minute, in a burst, before it gets 429. */
    public BrokerConfig withAdminFailureRate(int perMinute) {
        return new BrokerConfig(sessionLifetime, tokenLifetime, roots, trustedAux, runtimeDataHash, authPerClientPerSecond, auditRetention,
                appraisePerClientPerSecond, perMinute);
    }
}
