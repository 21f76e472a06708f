// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.core.AttestationException;
import dev.guestattest.verify.freshness.RuntimeData;
import dev.guestattest.verify.policy.Documents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A broker's settings from a file, JSON or YAML, read as strictly as its policies (unknown fields,
 * duplicates and values of the wrong type refused, with their line). Every field is optional; one
 * left out keeps the base config's value. Trust anchors are not settings: they come from the command
 * line ({@code --root}, {@code --trust-aux}).
 * <pre>
 * session_lifetime: 5m                 # durations: 500ms, 20s, 5m, 12h, 90d (or ISO-8601, PT5M)
 * token_lifetime: 5m
 * audit_retention: 90d
 * runtime_data_hash: sha384            # sha256, sha384 or sha512
 * auth_per_client_per_second: 100
 * appraise_per_client_per_second: 10
 * admin_failures_per_client_per_minute: 10
 * connections_per_client: 64
 * body_deadline: 20s
 * min_body_bytes_per_second: 4096      # 0: the deadline only
 * idle_timeout: 30s
 * max_body_bytes: 4194304
 * worker_threads: 64
 * tracked_clients: 100000
 * collateral:                          # where TDX and SNP collateral comes from (options override each)
 *   pcs: https://pccs.example:8081     # default Intel's PCS
 *   kds: https://kdsintf.amd.com       # default AMD's KDS
 *   directories: [/srv/collateral]     # prefetched with 'collateral fetch --out'
 *   offline: false                     # true: contact no service
 *   grace: 24h                         # accept items this long past their nextUpdate (default none)
 * </pre>
 */
public final class BrokerConfigFile {
    private static final String WHAT = "broker settings";

    private BrokerConfigFile() {
    }

    /** The file's fields, as written; null where left out. */
    private record Fields(String sessionLifetime, String tokenLifetime, String auditRetention, String runtimeDataHash,
                          Integer authPerClientPerSecond, Integer appraisePerClientPerSecond, Integer adminFailuresPerClientPerMinute,
                          Integer connectionsPerClient, String bodyDeadline, Integer minBodyBytesPerSecond, String idleTimeout,
                          Integer maxBodyBytes, Integer workerThreads, Integer trackedClients, CollateralFields collateral) {
    }

    /** The {@code collateral} section, as written. */
    private record CollateralFields(String pcs, String kds, List<String> directories, Boolean offline, String grace) {
    }

    public static BrokerConfig load(Path file, BrokerConfig base) {
        try {
            return read(Files.readAllBytes(file), base);
        } catch (IOException e) {
            throw AttestationException.invalid(WHAT, file + " cannot be read: " + e.getMessage());
        }
    }

    /** {@code base} with the settings {@code document} gives; an error names the field, its line and its bound. */
    public static BrokerConfig read(byte[] document, BrokerConfig base) {
        Fields f = Documents.read(document, Fields.class, WHAT);
        BrokerConfig.Builder b = base.toBuilder();
        Reader r = new Reader(document);
        r.duration(f.sessionLifetime(), BrokerConfig.SESSION_LIFETIME, b::sessionLifetime);
        r.duration(f.tokenLifetime(), BrokerConfig.TOKEN_LIFETIME, b::tokenLifetime);
        r.duration(f.auditRetention(), BrokerConfig.AUDIT_RETENTION, b::auditRetention);
        Optional.ofNullable(f.runtimeDataHash()).ifPresent(h -> b.runtimeDataHash(r.hash(h)));
        r.count(f.authPerClientPerSecond(), BrokerConfig.AUTH_RATE, b::authPerClientPerSecond);
        r.count(f.appraisePerClientPerSecond(), BrokerConfig.APPRAISE_RATE, b::appraisePerClientPerSecond);
        r.count(f.adminFailuresPerClientPerMinute(), BrokerConfig.ADMIN_FAILURES, b::adminFailuresPerClientPerMinute);
        r.count(f.connectionsPerClient(), BrokerConfig.CONNECTIONS, b::connectionsPerClient);
        r.duration(f.bodyDeadline(), BrokerConfig.BODY_DEADLINE, b::bodyDeadline);
        r.count(f.minBodyBytesPerSecond(), BrokerConfig.MIN_BODY_RATE, b::minBodyBytesPerSecond);
        r.duration(f.idleTimeout(), BrokerConfig.IDLE_TIMEOUT, b::idleTimeout);
        r.count(f.maxBodyBytes(), BrokerConfig.MAX_BODY, b::maxBodyBytes);
        r.count(f.workerThreads(), BrokerConfig.WORKER_THREADS, b::workerThreads);
        r.count(f.trackedClients(), BrokerConfig.TRACKED_CLIENTS, b::trackedClients);
        return b.build();
    }

    /** The file's {@code collateral} section ({@link CollateralSettings#DEFAULT} without one); an error names the field and its line. */
    public static CollateralSettings collateral(Path file) {
        try {
            return collateral(Files.readAllBytes(file));
        } catch (IOException e) {
            throw AttestationException.invalid(WHAT, file + " cannot be read: " + e.getMessage());
        }
    }

    public static CollateralSettings collateral(byte[] document) {
        CollateralFields c = Documents.read(document, Fields.class, WHAT).collateral();
        if (c == null) {
            return CollateralSettings.DEFAULT;
        }
        Optional<java.time.Duration> grace = Optional.ofNullable(c.grace()).map(g -> Bound.parseDuration(g).orElseThrow(() ->
                Documents.invalid(document, WHAT, "'" + g + "' is not a duration (30m, 24h, 7d)", "collateral", "grace")));
        return new CollateralSettings(url(document, c.pcs(), "pcs"), url(document, c.kds(), "kds"),
                Optional.ofNullable(c.directories()).orElse(List.of()).stream().map(java.nio.file.Path::of).toList(),
                Boolean.TRUE.equals(c.offline()), grace);
    }

    private static Optional<java.net.URI> url(byte[] document, String text, String field) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            java.net.URI u = new java.net.URI(text);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw Documents.invalid(document, WHAT, "'" + text + "' is not an http(s) URL", "collateral", field);
            }
            return Optional.of(u);
        } catch (java.net.URISyntaxException e) {
            throw Documents.invalid(document, WHAT, "'" + text + "' is not a URL: " + e.getReason(), "collateral", field);
        }
    }

    /** Checks each field against its bound before it is set, so the error has the field's line. */
    private static final class Reader {
        private final byte[] document;

        Reader(byte[] document) {
            this.document = document;
        }

        void count(Integer value, Bound bound, Consumer<Integer> set) {
            if (value != null) {
                bound.problem(value).ifPresent(p -> {
                    throw Documents.invalid(document, WHAT, p, bound.fileName());
                });
                set.accept(value);
            }
        }

        void duration(String text, Bound bound, Consumer<Duration> set) {
            if (text != null) {
                Duration d = Bound.parseDuration(text).orElseThrow(() -> Documents.invalid(document, WHAT,
                        "'" + text + "' is not a duration (500ms, 20s, 5m, 12h, 90d)", bound.fileName()));
                bound.problem(d.toMillis()).ifPresent(p -> {
                    throw Documents.invalid(document, WHAT, p, bound.fileName());
                });
                set.accept(d);
            }
        }

        RuntimeData.Hash hash(String name) {
            try {
                return RuntimeData.Hash.named(name);
            } catch (AttestationException e) {
                throw Documents.invalid(document, WHAT, "'" + name + "' is not sha256, sha384 or sha512", "runtime_data_hash");
            }
        }
    }
}
