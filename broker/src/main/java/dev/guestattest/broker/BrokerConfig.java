// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.freshness.RuntimeData;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of a broker, in one place: how long a challenge may wait for its attestation
 * ({@code sessionLifetime}, also the session cookie's max-age), how long a token or an attested
 * session may read resources, how long audit entries are kept (the one table that would grow without
 * bound otherwise), the hash that binds runtime data into report data; what one client may ask for
 * (auth requests and appraisals per second, refused admin calls per minute, in a burst) and hold
 * (connections per address or IPv6 /64, a body's deadline and minimum rate once past a second's
 * grace, 0 for none, idle time, body size); the server's worker threads and how many clients the
 * rate limits track; and the trust
 * anchors: extra roots for each TEE's evidence (an emulator's root, a private CA), and aux parts the
 * broker supplies (the CCA CPAK, a TPM's pinned AK: by TEE, then part name; a guest may not).
 * {@link BrokerConfigFile} reads the scalar settings from a file; each is checked against its bound.
 */
public record BrokerConfig(Duration sessionLifetime, Duration tokenLifetime, Duration auditRetention, RuntimeData.Hash runtimeDataHash,
                           int authPerClientPerSecond, int appraisePerClientPerSecond, int adminFailuresPerClientPerMinute,
                           int connectionsPerClient, Duration bodyDeadline, int minBodyBytesPerSecond, Duration idleTimeout, int maxBodyBytes,
                           int workerThreads, int trackedClients, Map<String, List<X509Certificate>> roots,
                           Map<String, Map<String, Bytes>> trustedAux, List<PublicKey> adminJwtKeys, boolean allowSample) {
    static final Bound SESSION_LIFETIME = Bound.duration("sessionLifetime", Duration.ofMillis(1), Duration.ofDays(1));
    static final Bound TOKEN_LIFETIME = Bound.duration("tokenLifetime", Duration.ofSeconds(1), Duration.ofDays(1));
    static final Bound AUDIT_RETENTION = Bound.duration("auditRetention", Duration.ofMinutes(1), Duration.ofDays(36_500));
    static final Bound AUTH_RATE = Bound.count("authPerClientPerSecond", 1, 1_000_000);
    static final Bound APPRAISE_RATE = Bound.count("appraisePerClientPerSecond", 1, 1_000_000);
    static final Bound ADMIN_FAILURES = Bound.count("adminFailuresPerClientPerMinute", 1, 1_000_000);
    static final Bound CONNECTIONS = Bound.count("connectionsPerClient", 1, 100_000);
    static final Bound BODY_DEADLINE = Bound.duration("bodyDeadline", Duration.ofMillis(1), Duration.ofHours(1));
    static final Bound MIN_BODY_RATE = Bound.count("minBodyBytesPerSecond", 0, 1L << 30);
    static final Bound IDLE_TIMEOUT = Bound.duration("idleTimeout", Duration.ofMillis(1), Duration.ofHours(1));
    static final Bound MAX_BODY = Bound.count("maxBodyBytes", 1 << 10, 64 << 20);
    static final Bound WORKER_THREADS = Bound.count("workerThreads", 8, 4_096);
    static final Bound TRACKED_CLIENTS = Bound.count("trackedClients", 1_000, 10_000_000);

    /**
     * 5-minute sessions and tokens, audit kept 90 days, SHA-384; 100 auths and 10 appraisals a second
     * and 10 refused admin calls a minute per client; 64 connections per client (a NAT of guests, a
     * load test); a body within 20 s and at 4 KiB/s (a 4 MiB body needs 200 KiB/s); 30 s idle; 64
     * workers; 100,000 clients tracked. No extra trust anchors.
     */
    public static final BrokerConfig DEFAULT = new BrokerConfig(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofDays(90),
            RuntimeData.Hash.SHA384, 100, 10, 10, 64, Duration.ofSeconds(20), 4096, Duration.ofSeconds(30), 4 << 20, 64, 100_000,
            Map.of(), Map.of(), List.of(), false);

    public BrokerConfig {
        SESSION_LIFETIME.check(Objects.requireNonNull(sessionLifetime, "sessionLifetime"));
        TOKEN_LIFETIME.check(Objects.requireNonNull(tokenLifetime, "tokenLifetime"));
        AUDIT_RETENTION.check(Objects.requireNonNull(auditRetention, "auditRetention"));
        Objects.requireNonNull(runtimeDataHash, "runtimeDataHash");
        AUTH_RATE.check(authPerClientPerSecond);
        APPRAISE_RATE.check(appraisePerClientPerSecond);
        ADMIN_FAILURES.check(adminFailuresPerClientPerMinute);
        CONNECTIONS.check(connectionsPerClient);
        BODY_DEADLINE.check(Objects.requireNonNull(bodyDeadline, "bodyDeadline"));
        MIN_BODY_RATE.check(minBodyBytesPerSecond);
        IDLE_TIMEOUT.check(Objects.requireNonNull(idleTimeout, "idleTimeout"));
        MAX_BODY.check(maxBodyBytes);
        WORKER_THREADS.check(workerThreads);
        TRACKED_CLIENTS.check(trackedClients);
        Map<String, List<X509Certificate>> r = new HashMap<>();
        roots.forEach((k, v) -> r.put(k, List.copyOf(v)));
        roots = Map.copyOf(r);
        Map<String, Map<String, Bytes>> t = new HashMap<>();
        trustedAux.forEach((k, v) -> t.put(k, Map.copyOf(v)));
        trustedAux = Map.copyOf(t);
        adminJwtKeys = List.copyOf(adminJwtKeys);
        for (PublicKey k : adminJwtKeys) {
            if (!AdminJwt.usable(k)) {
                throw dev.guestattest.core.AttestationException.invalid("admin JWT key", k.getAlgorithm() + " key: it must be Ed25519 (EdDSA)"
                        + " or EC P-256 (ES256)");
            }
        }
    }

    /** The session cookie lives as long as the session it names, in whole seconds (at least one). */
    public Duration cookieMaxAge() {
        return Duration.ofSeconds(Math.max(1, (sessionLifetime.toMillis() + 999) / 1000));
    }

    public static Builder builder() {
        return DEFAULT.toBuilder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    // shorthands for the changes callers make most
    /** Trusts {@code r} (in the order the TEE's verifier wants: SNP takes the ARK first) for {@code tee}'s evidence. */
    public BrokerConfig withRoots(String tee, List<X509Certificate> r) {
        return toBuilder().roots(tee, r).build();
    }

    /** Adds a trust anchor the broker supplies as aux part {@code name} for {@code tee}'s evidence. */
    public BrokerConfig withTrustedAux(String tee, String name, Bytes value) {
        return toBuilder().trustedAux(tee, name, value).build();
    }

    public BrokerConfig withSessionLifetime(Duration d) {
        return toBuilder().sessionLifetime(d).build();
    }

    public BrokerConfig withAuditRetention(Duration d) {
        return toBuilder().auditRetention(d).build();
    }

    public BrokerConfig withAuthRate(int perSecond) {
        return toBuilder().authPerClientPerSecond(perSecond).build();
    }

    public BrokerConfig withAppraiseRate(int perSecond) {
        return toBuilder().appraisePerClientPerSecond(perSecond).build();
    }

    public BrokerConfig withAdminFailureRate(int perMinute) {
        return toBuilder().adminFailuresPerClientPerMinute(perMinute).build();
    }

    /** A config to change: each setter takes one setting; {@link #build} checks them all. */
    public static final class Builder {
        private Duration sessionLifetime;
        private Duration tokenLifetime;
        private Duration auditRetention;
        private RuntimeData.Hash runtimeDataHash;
        private int authPerClientPerSecond;
        private int appraisePerClientPerSecond;
        private int adminFailuresPerClientPerMinute;
        private int connectionsPerClient;
        private Duration bodyDeadline;
        private int minBodyBytesPerSecond;
        private Duration idleTimeout;
        private int maxBodyBytes;
        private int workerThreads;
        private int trackedClients;
        private final Map<String, List<X509Certificate>> roots;
        private final Map<String, Map<String, Bytes>> trustedAux;
        private List<PublicKey> adminJwtKeys;
        private boolean allowSample;

        private Builder(BrokerConfig c) {
            sessionLifetime = c.sessionLifetime;
            tokenLifetime = c.tokenLifetime;
            auditRetention = c.auditRetention;
            runtimeDataHash = c.runtimeDataHash;
            authPerClientPerSecond = c.authPerClientPerSecond;
            appraisePerClientPerSecond = c.appraisePerClientPerSecond;
            adminFailuresPerClientPerMinute = c.adminFailuresPerClientPerMinute;
            connectionsPerClient = c.connectionsPerClient;
            bodyDeadline = c.bodyDeadline;
            minBodyBytesPerSecond = c.minBodyBytesPerSecond;
            idleTimeout = c.idleTimeout;
            maxBodyBytes = c.maxBodyBytes;
            workerThreads = c.workerThreads;
            trackedClients = c.trackedClients;
            roots = new HashMap<>(c.roots);
            trustedAux = new HashMap<>(c.trustedAux);
            adminJwtKeys = c.adminJwtKeys;
            allowSample = c.allowSample;
        }

        /** Keys whose signed JWTs are admin credentials (Trustee's kbs-client tokens), besides the admin token. */
        public Builder adminJwtKeys(List<PublicKey> keys) {
            this.adminJwtKeys = List.copyOf(keys);
            return this;
        }

        /** Accept Trustee's {@code sample} TEE, whose evidence nothing signs: for testing only. */
        public Builder allowSample(boolean allow) {
            this.allowSample = allow;
            return this;
        }

        public Builder sessionLifetime(Duration d) {
            sessionLifetime = d;
            return this;
        }

        public Builder tokenLifetime(Duration d) {
            tokenLifetime = d;
            return this;
        }

        public Builder auditRetention(Duration d) {
            auditRetention = d;
            return this;
        }

        public Builder runtimeDataHash(RuntimeData.Hash h) {
            runtimeDataHash = h;
            return this;
        }

        public Builder authPerClientPerSecond(int n) {
            authPerClientPerSecond = n;
            return this;
        }

        public Builder appraisePerClientPerSecond(int n) {
            appraisePerClientPerSecond = n;
            return this;
        }

        public Builder adminFailuresPerClientPerMinute(int n) {
            adminFailuresPerClientPerMinute = n;
            return this;
        }

        public Builder connectionsPerClient(int n) {
            connectionsPerClient = n;
            return this;
        }

        public Builder bodyDeadline(Duration d) {
            bodyDeadline = d;
            return this;
        }

        public Builder minBodyBytesPerSecond(int n) {
            minBodyBytesPerSecond = n;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            idleTimeout = d;
            return this;
        }

        public Builder maxBodyBytes(int n) {
            maxBodyBytes = n;
            return this;
        }

        public Builder workerThreads(int n) {
            workerThreads = n;
            return this;
        }

        public Builder trackedClients(int n) {
            trackedClients = n;
            return this;
        }

        public Builder roots(String tee, List<X509Certificate> r) {
            roots.put(tee, r);
            return this;
        }

        public Builder trustedAux(String tee, String name, Bytes value) {
            Map<String, Bytes> parts = new HashMap<>(trustedAux.getOrDefault(tee, Map.of()));
            parts.put(name, value);
            trustedAux.put(tee, parts);
            return this;
        }

        public BrokerConfig build() {
            return new BrokerConfig(sessionLifetime, tokenLifetime, auditRetention, runtimeDataHash, authPerClientPerSecond,
                    appraisePerClientPerSecond, adminFailuresPerClientPerMinute, connectionsPerClient, bodyDeadline, minBodyBytesPerSecond,
                    idleTimeout, maxBodyBytes, workerThreads, trackedClients, roots, trustedAux, adminJwtKeys, allowSample);
        }
    }
}
