// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.BrokerConfigFile;
import dev.guestattest.broker.client.BrokerHttp;
import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.wire.ErrorBody;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.net.EnvironmentProxies;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.broker.CollateralSettings;
import dev.guestattest.broker.store.CollateralDocuments;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** guest-attest broker: run the key broker, and administer one (resources, policies, the audit). */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "The key broker: serve Trustee's RCAR protocol, set its resources and policies.",
        subcommands = {BrokerCommand.Serve.class, BrokerCommand.ResourceCmd.class, BrokerCommand.PolicyCmd.class,
                BrokerCommand.ResourcePolicyCmd.class, BrokerCommand.ReferenceValuesCmd.class, BrokerCommand.AuditCmd.class})
final class BrokerCommand {
    static final int MAX_DOCUMENT = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code broker serve}'s decision lines: held, as java.util.logging keeps its loggers weakly. */
    private static java.util.logging.Logger decisionLog;

    /**
     * Each decision the broker makes a line on stdout (a JSON object, {@code Audit.Entry.toJson}), beside
     * the start line: where a service's journal or a container's log picks it up. An operator's own
     * java.util.logging configuration ({@code -Djava.util.logging.config.file}) decides instead, when given.
     */
    static synchronized void logDecisionsToStdout() {
        if (decisionLog != null || System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Broker.DECISION_LOG);
        java.util.logging.StreamHandler lines = new java.util.logging.StreamHandler(System.out, new java.util.logging.Formatter() {
            @Override
            public String format(java.util.logging.LogRecord r) {
                return r.getMessage() + System.lineSeparator();
            }
        }) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord r) {
                super.publish(r);
                flush();
            }
        };
        lines.setLevel(java.util.logging.Level.INFO);
        log.setLevel(java.util.logging.Level.INFO);
        log.setUseParentHandlers(false);
        log.addHandler(lines);
        decisionLog = log;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serve the broker (loopback unless --host says otherwise); prints the URL once ready.",
                    "A fresh broker releases nothing until an attestation policy is set (--policy, or 'broker policy set')."})
    static final class Serve implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Listen address (default ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port, 0 for any free one (default ${DEFAULT-VALUE})")
        int port;

        @Option(names = "--store", paramLabel = "DIR|JDBC-URL", description = "A directory (embedded H2, the default: <state-dir>/broker) "
                + "or jdbc:postgresql://... shared by several brokers")
        String store;

        @Option(names = "--kek-file", paramLabel = "FILE", description = "Key-encryption key for secrets at rest, 32 bytes raw or base64 "
                + "(default: <store>/kek, made on first start; required with PostgreSQL: every broker needs the same one)")
        Path kekFile;

        @Option(names = "--admin-token-file", paramLabel = "FILE", description = "The admin credential (default: <store>/admin-token, made on first start)")
        Path adminTokenFile;

        @Option(names = "--admin-jwt-key", paramLabel = "PEM", description = "Also take bearer JWTs signed by this key (Ed25519 or EC"
                + " P-256, with exp) as the admin credential, as Trustee's kbs-client sends them (repeatable)")
        List<Path> adminJwtKeys = new ArrayList<>();

        @Option(names = "--allow-sample", description = "Accept Trustee's 'sample' TEE, whose evidence nothing signs: for testing clients only")
        boolean allowSample;

        @Option(names = "--policy", paramLabel = "FILE", description = "Set this attestation policy at start (JSON or YAML)")
        Path policy;

        @Option(names = "--resource-policy", paramLabel = "FILE", description = "Set this resource policy at start")
        Path resourcePolicy;

        @Option(names = "--root", paramLabel = "TEE=PEM", description = "Trust these roots for a TEE's evidence (repeatable), e.g. tdx=intel-root.pem")
        Map<String, Path> roots = new HashMap<>();

        @Option(names = "--trust-aux", paramLabel = "TEE:NAME=FILE", description = "A trust anchor the broker supplies as an aux part, "
                + "e.g. cca:cpak=cpak.pem (repeatable)")
        List<String> trustAux = new ArrayList<>();

        @Option(names = "--trust-emulators", description = "Trust the emulated TEEs of --state-dir (their roots and CPAK): for demos and tests only")
        boolean trustEmulators;

        @Option(names = "--config", paramLabel = "FILE", description = "Broker settings, JSON or YAML (session_lifetime, token_lifetime, "
                + "audit_retention, rate limits, connection and body limits, ...); the options below override it")
        Path config;

        @Option(names = "--audit-retention-days", paramLabel = "N", description = "Keep audit entries this long (default 90)")
        Integer auditRetentionDays;

        @Option(names = "--connections-per-client", paramLabel = "N", description = "Open connections one client"
                + " address (IPv6: one /64) may hold (default 64); behind a load balancer every guest shares its address")
        Integer connectionsPerClient;

        @Option(names = "--body-deadline-seconds", paramLabel = "N", description = "Time a request body may take to"
                + " arrive whole (default 20); slower bodies get 408")
        Integer bodyDeadlineSeconds;

        @Option(names = "--auth-rate", paramLabel = "N", description = "Sessions one client may open per second (default 100)")
        Integer authRate;

        @Option(names = "--appraise-rate", paramLabel = "N", description = "Appraisals one client may ask for per"
                + " second on POST /appraise (default 10)")
        Integer appraiseRate;

        @Option(names = "--tls-keystore", paramLabel = "P12", description = "Serve HTTPS with this PKCS#12 key store")
        Path tlsKeystore;

        @Option(names = "--tls-password-file", paramLabel = "FILE", description = "The key store's password")
        Path tlsPasswordFile;

        private static int within(String option, int value, int max) {
            if (value < 1 || value > max) {
                throw AttestationException.invalid(option, value + " is outside 1.." + max);
            }
            return value;
        }

        @picocli.CommandLine.Mixin
        CollateralOptions collateral;

        @Override
        public Integer call() throws Exception {
            ProviderContext ctx = common.context();
            logDecisionsToStdout(); // from the first: a policy set at start (--policy) is a decision too
            // the settings, checked before anything is created: the file, then the options over it
            BrokerConfig.Builder settings = (config != null ? BrokerConfigFile.load(config, BrokerConfig.DEFAULT) : BrokerConfig.DEFAULT).toBuilder();
            CollateralSettings collateralSettings = config != null ? BrokerConfigFile.collateral(config) : CollateralSettings.DEFAULT;
            Optional.ofNullable(connectionsPerClient).ifPresent(n -> settings.connectionsPerClient(within("--connections-per-client", n, 100_000)));
            Optional.ofNullable(bodyDeadlineSeconds).ifPresent(n -> settings.bodyDeadline(Duration.ofSeconds(within("--body-deadline-seconds", n, 3_600))));
            Optional.ofNullable(authRate).ifPresent(n -> settings.authPerClientPerSecond(within("--auth-rate", n, 1_000_000)));
            Optional.ofNullable(appraiseRate).ifPresent(n -> settings.appraisePerClientPerSecond(within("--appraise-rate", n, 1_000_000)));
            Optional.ofNullable(auditRetentionDays).ifPresent(n -> settings.auditRetention(Duration.ofDays(within("--audit-retention-days", n, 36_500))));
            for (Map.Entry<String, Path> r : roots.entrySet()) {
                settings.roots(r.getKey(), InputFiles.certificates("--root " + r.getKey(), r.getValue()));
            }
            for (String t : trustAux) {
                int colon = t.indexOf(':');
                int eq = t.indexOf('=');
                if (colon <= 0 || eq <= colon + 1) {
                    throw AttestationException.invalid("--trust-aux", "'" + t + "' is not TEE:NAME=FILE");
                }
                settings.trustedAux(t.substring(0, colon), t.substring(colon + 1, eq),
                        Bytes.of(InputFiles.read("--trust-aux", Path.of(t.substring(eq + 1)), MAX_DOCUMENT)));
            }
            List<java.security.PublicKey> jwtKeys = new ArrayList<>();
            for (Path p : adminJwtKeys) {
                jwtKeys.add(dev.guestattest.broker.AdminJwt.readKey("--admin-jwt-key " + p, InputFiles.read("--admin-jwt-key", p, MAX_DOCUMENT)));
            }
            settings.adminJwtKeys(jwtKeys).allowSample(allowSample);
            BrokerConfig brokerConfig = settings.build();
            if (trustEmulators) {
                brokerConfig = EmulatorTrust.apply(ctx, brokerConfig);
            }
            String location = store != null ? store : ctx.stateDir().resolve("broker").toString();
            boolean embedded = !location.startsWith("jdbc:");
            if (!embedded && kekFile == null) {
                throw AttestationException.invalid("--kek-file", "is required with a shared database: every broker must seal with the same KEK");
            }
            Kek kek = kekFile != null ? Kek.load(kekFile) : Kek.loadOrCreate(Path.of(location).resolve("kek"));
            Path tokenFile = adminTokenFile != null ? adminTokenFile : Path.of(embedded ? location : ctx.stateDir().toString()).resolve("admin-token");
            byte[] admin = adminToken(tokenFile, adminTokenFile == null);
            Database db = Database.open(location);
            // collateral the guests do not send is fetched once for every instance on this store, and refreshed ahead of expiry
            CollateralService collateralService = collateral.service(new CollateralDocuments(db), Clock.systemUTC(), collateralSettings);
            AutoCloseable refresh = collateralService.refreshEvery(Duration.ofMinutes(5));
            Broker broker = new Broker(db, kek, brokerConfig, Appraiser.discover().withCollateral(collateralService), Clock.systemUTC());
            if (policy != null) {
                broker.setAttestationPolicy(InputFiles.read("--policy", policy, MAX_DOCUMENT), "serve --policy");
            }
            if (resourcePolicy != null) {
                broker.setResourcePolicy(InputFiles.read("--resource-policy", resourcePolicy, MAX_DOCUMENT), "serve --resource-policy");
            }
            Optional<BrokerServer.Tls> tls = Optional.empty();
            if (tlsKeystore != null) {
                if (tlsPasswordFile == null) {
                    throw AttestationException.invalid("--tls-password-file", "is required with --tls-keystore");
                }
                tls = Optional.of(new BrokerServer.Tls(tlsKeystore, Files.readString(tlsPasswordFile).strip()));
            }
            BrokerServer server = BrokerServer.start(broker, host, port, admin, tls);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                try {
                    refresh.close();
                } catch (Exception e) {
                    // the refresher's thread is a daemon: nothing is lost
                }
                db.close();
            }, "broker-shutdown"));
            System.out.println("guest-attest broker: listening on " + server.uri() + " (store " + db.location() + ", admin token in " + tokenFile + ")");
            System.out.flush();
            server.join();
            return Main.OK;
        }

        private static byte[] adminToken(Path file, boolean create) {
            if (!Files.exists(file)) {
                if (!create) {
                    throw AttestationException.invalid("--admin-token-file", file + " does not exist");
                }
                byte[] raw = new byte[32];
                new SecureRandom().nextBytes(raw);
                OutputFiles.write("--admin-token-file", file, Base64.getUrlEncoder().withoutPadding().encode(raw), true);
            }
            return readToken(file);
        }
    }

    static byte[] readToken(Path file) {
        try {
            byte[] t = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            if (t.length < 16) {
                throw AttestationException.invalid("--admin-token-file", file + " holds " + t.length + " characters; an admin token needs at least 16");
            }
            return t;
        } catch (java.io.IOException e) {
            throw AttestationException.invalid("--admin-token-file", file + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Where an admin command goes and with what credential; the broker's CA when it has its own, and
     * the proxies the environment names (HTTPS_PROXY, NO_PROXY, ...). A broker that cannot be reached
     * is named by host and port with the cause (exit 3); a refusal of the credential exits 1, of the
     * request (a bad document, no such resource) 2.
     */
    static final class Admin {
        /** The largest answer read: the audit's 10,000 entries fit many times over. */
        private static final int MAX_ANSWER = 64 << 20;

        @Option(names = "--broker", paramLabel = "URL", required = true, description = "The broker, e.g. http://127.0.0.1:8080")
        URI broker;

        @Option(names = "--admin-token-file", paramLabel = "FILE", required = true, description = "The admin credential (the broker's"
                + " admin token, or a JWT signed by one of its --admin-jwt-key)")
        Path tokenFile;

        @Option(names = "--broker-ca", paramLabel = "PEM", description = "Trust these certificates for an https:// broker (default: the JDK's CAs)")
        Path brokerCa;

        void post(String path, byte[] body, String what) {
            send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body), what);
        }

        byte[] get(String path, String what) {
            return send("GET", path, HttpRequest.BodyPublishers.noBody(), what);
        }

        void delete(String path, String what) {
            send("DELETE", path, HttpRequest.BodyPublishers.noBody(), what);
        }

        /** The answer's body when the broker says 200; otherwise what it said, as the failure its status amounts to. */
        private byte[] send(String method, String path, HttpRequest.BodyPublisher body, String what) {
            String token = new String(readToken(tokenFile), StandardCharsets.UTF_8);
            Optional<javax.net.ssl.SSLContext> tls = Optional.ofNullable(brokerCa)
                    .map(ca -> KbsClient.trusting(InputFiles.certificates("--broker-ca", ca)));
            EnvironmentProxies proxies = EnvironmentProxies.fromEnvironment();
            HttpClient http = BrokerHttp.client(Duration.ofSeconds(10), tls, proxies);
            HttpRequest req = HttpRequest.newBuilder(broker.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).method(method, body).build();
            int status;
            byte[] answer;
            try {
                HttpResponse<java.io.InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                status = r.statusCode();
                try (java.io.InputStream in = r.body()) {
                    answer = in.readNBytes(MAX_ANSWER + 1);
                }
            } catch (java.io.IOException e) {
                throw BrokerHttp.unreachable(what, req.uri(), e, proxies);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AttestationException.of(Reason.INTERRUPTED, what + ": interrupted");
            }
            if (answer.length > MAX_ANSWER) {
                throw AttestationException.tooLarge(what + " answer", answer.length, MAX_ANSWER);
            }
            if (status != 200) {
                String detail = ErrorBody.parse(answer).map(ErrorBody::detail).filter(d -> !d.isEmpty()).orElse("HTTP " + status);
                Reason reason = switch (status) {
                    case 400, 404, 413 -> Reason.INVALID_ARGUMENT;
                    case 401, 403 -> Reason.REFUSED;
                    case 429 -> Reason.BUSY;
                    default -> Reason.IO_ERROR;
                };
                throw AttestationException.of(reason, what + " refused (" + status + "): " + detail);
            }
            return answer;
        }

        /** The answer as JSON; one that is not is the broker's fault (or not a broker's answer). */
        JsonNode json(byte[] answer, String what) {
            try {
                return JSON.readTree(answer);
            } catch (java.io.IOException e) {
                throw AttestationException.of(Reason.IO_ERROR, what + ": the broker's answer is not JSON");
            }
        }
    }

    @Command(name = "resource", mixinStandardHelpOptions = true, description = "Store, list and delete resources.",
            subcommands = {ResourceCmd.Put.class, ResourceCmd.ListCmd.class, ResourceCmd.Delete.class})
    static final class ResourceCmd {
        @Command(name = "put", mixinStandardHelpOptions = true, description = "Store (or replace) the secret at REPO/TYPE/TAG; it is sealed at rest.")
        static final class Put implements Callable<Integer> {
            @Parameters(index = "0", paramLabel = "REPO/TYPE/TAG")
            String path;

            @Option(names = "--file", paramLabel = "FILE", required = true, description = "The secret (never on the command line)")
            Path file;

            @Mixin
            Admin admin;

            @Override
            public Integer call() throws Exception {
                dev.guestattest.broker.store.Resources.path(path);
                admin.post("/kbs/v0/resource/" + path, InputFiles.read("--file", file, dev.guestattest.broker.store.Resources.MAX_SECRET),
                        "resource put");
                System.out.println("stored " + path);
                return Main.OK;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "The paths of the stored resources, one a line (never their bytes).")
        static final class ListCmd implements Callable<Integer> {
            @Option(names = "--json", description = "Print {\"resources\": [paths]} (schema: broker-resource-list.schema.json)")
            boolean json;

            @Mixin
            Admin admin;

            @Override
            public Integer call() {
                JsonNode answer = admin.json(admin.get("/kbs/v0/resources", "resource list"), "resource list");
                List<String> paths = new ArrayList<>();
                answer.path("resources").forEach(p -> paths.add(p.asText()));
                if (json) {
                    ObjectNode out = JSON.createObjectNode();
                    paths.forEach(out.putArray("resources")::add);
                    JsonOutput.print(out);
                } else {
                    paths.forEach(System.out::println);
                }
                return Main.OK;
            }
        }

        @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete the resource at REPO/TYPE/TAG (exit 2 when there is none).")
        static final class Delete implements Callable<Integer> {
            @Parameters(index = "0", paramLabel = "REPO/TYPE/TAG")
            String path;

            @Mixin
            Admin admin;

            @Override
            public Integer call() {
                dev.guestattest.broker.store.Resources.path(path);
                admin.delete("/kbs/v0/resource/" + path, "resource delete " + path);
                System.out.println("deleted " + path);
                return Main.OK;
            }
        }
    }

    /** An admin command that prints one stored document as it was set. */
    abstract static class GetDocument implements Callable<Integer> {
        @Mixin
        Admin admin;

        abstract String path();

        abstract String what();

        @Override
        public Integer call() {
            byte[] document = admin.get(path(), what());
            System.out.write(document, 0, document.length);
            if (document.length > 0 && document[document.length - 1] != '\n') {
                System.out.println();
            }
            System.out.flush();
            return Main.OK;
        }
    }

    /** An admin command that posts one document to one broker path. */
    abstract static class PostDocument implements Callable<Integer> {
        @Option(names = "--file", paramLabel = "FILE", required = true, description = "The document (JSON or YAML; reference values JSON)")
        Path file;

        @Mixin
        Admin admin;

        abstract String path();

        abstract String what();

        @Override
        public Integer call() throws Exception {
            admin.post(path(), InputFiles.read("--file", file, MAX_DOCUMENT), what());
            System.out.println(what() + " from " + file);
            return Main.OK;
        }
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, description = "Set or read the attestation policy ('guest-attest policy init'"
            + " makes one).", subcommands = {PolicyCmd.Set.class, PolicyCmd.Get.class})
    static final class PolicyCmd {
        @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the attestation policy as it was set (exit 2 when none is).")
        static final class Get extends GetDocument {
            String path() {
                return "/kbs/v0/attestation-policy";
            }

            String what() {
                return "attestation policy get";
            }
        }

        @Command(name = "set", mixinStandardHelpOptions = true, description = "Set the attestation policy (checked whole by the broker).")
        static final class Set extends PostDocument {
            String path() {
                return "/kbs/v0/attestation-policy";
            }

            String what() {
                return "attestation policy set";
            }
        }
    }

    @Command(name = "resource-policy", mixinStandardHelpOptions = true, description = "Set or read which results may read which resources.",
            subcommands = {ResourcePolicyCmd.Set.class, ResourcePolicyCmd.Get.class})
    static final class ResourcePolicyCmd {
        @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the resource policy as it was set (exit 2 when none is:"
                + " the default then lets affirming results read every resource).")
        static final class Get extends GetDocument {
            String path() {
                return "/kbs/v0/resource-policy";
            }

            String what() {
                return "resource policy get";
            }
        }

        @Command(name = "set", mixinStandardHelpOptions = true, description = "Set the resource policy.")
        static final class Set extends PostDocument {
            String path() {
                return "/kbs/v0/resource-policy";
            }

            String what() {
                return "resource policy set";
            }
        }
    }

    @Command(name = "reference-values", mixinStandardHelpOptions = true, description = "Set the reference-value store (with provenance).",
            subcommands = {ReferenceValuesCmd.Set.class})
    static final class ReferenceValuesCmd {
        @Command(name = "set", mixinStandardHelpOptions = true, description = "Replace the broker's reference values.")
        static final class Set extends PostDocument {
            String path() {
                return "/kbs/v0/reference-value";
            }

            String what() {
                return "reference values set";
            }
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = {"Read the broker's audit: one line per decision, oldest first:",
            "time, outcome, event, session, TEE, resource, the failing checks, then the stored outcome and why."})
    static final class AuditCmd implements Callable<Integer> {
        @Option(names = "--since", paramLabel = "ISO-8601-INSTANT", description = "Only decisions at or after this instant,"
                + " e.g. 2026-01-31T12:00:00Z")
        String since;

        @Option(names = "--outcome", paramLabel = "OUTCOME", description = "Only these decisions: challenged, attested, appraised, released,"
                + " refused, failed, changed, other")
        String outcome;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "The newest N decisions that match, 1 to 10000"
                + " (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--json", description = "Print {\"entries\": [...]} (schema: broker-audit.schema.json)")
        boolean json;

        @Mixin
        Admin admin;

        /** The fields an entry is printed with, as the broker's audit names them (Audit.Entry.toJson). */
        private static final List<String> FIELDS = List.of("time", "event", "outcome", "audit_outcome", "session", "client", "tee", "resource",
                "checks", "detail");

        @Override
        public Integer call() {
            if (limit < 1 || limit > dev.guestattest.broker.store.Audit.MAX_READ) {
                throw AttestationException.invalid("--limit", limit + " is outside 1.." + dev.guestattest.broker.store.Audit.MAX_READ);
            }
            StringBuilder q = new StringBuilder("?limit=").append(limit);
            if (since != null) {
                try {
                    q.append("&since=").append(java.time.Instant.parse(since));
                } catch (java.time.format.DateTimeParseException e) {
                    throw AttestationException.invalid("--since", "'" + since + "' is not an ISO-8601 instant, e.g. 2026-01-31T12:00:00Z");
                }
            }
            if (outcome != null) {
                try {
                    q.append("&outcome=").append(dev.guestattest.broker.store.Audit.Decision.parse(outcome).label());
                } catch (AttestationException e) {
                    throw AttestationException.invalid("--outcome", e.problem());
                }
            }
            JsonNode answer = admin.json(admin.get("/kbs/v0/audit" + q, "audit read"), "audit read");
            ArrayNode entries = JSON.createArrayNode();
            for (JsonNode e : answer) {
                // what this command documents (its schema), whatever else a newer broker adds
                ObjectNode o = entries.addObject();
                for (String f : FIELDS) {
                    if (e.has(f)) {
                        o.set(f, e.get(f));
                    }
                }
                if (!o.has("checks")) {
                    o.putArray("checks");
                }
            }
            if (json) {
                ObjectNode out = JSON.createObjectNode();
                out.set("entries", entries);
                JsonOutput.print(out);
            } else {
                entries.forEach(e -> System.out.println(line(e)));
            }
            return Main.OK;
        }

        /** {@code TIME OUTCOME EVENT [session=..] [tee=..] [resource=..] [checks=a,b] (STORED-OUTCOME): DETAIL}. */
        static String line(JsonNode e) {
            StringBuilder b = new StringBuilder(e.path("time").asText()).append("  ").append(e.path("outcome").asText()).append("  ")
                    .append(e.path("event").asText());
            for (String f : List.of("session", "tee", "resource")) {
                if (e.hasNonNull(f)) {
                    b.append("  ").append(f).append('=').append(e.get(f).asText());
                }
            }
            List<String> checks = new ArrayList<>();
            e.path("checks").forEach(c -> checks.add(c.asText()));
            if (!checks.isEmpty()) {
                b.append("  checks=").append(String.join(",", checks));
            }
            b.append("  (").append(e.path("audit_outcome").asText()).append(')');
            String detail = e.path("detail").asText("");
            return detail.isEmpty() ? b.toString() : b.append(": ").append(detail.replaceAll("\\p{Cntrl}", " ")).toString();
        }
    }
}
