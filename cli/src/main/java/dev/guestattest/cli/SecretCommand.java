// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.kernel.LogonKeys;
import dev.guestattest.keys.kernel.StagedKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** guest-attest secret get: attest to a key broker and land the released secret, never on stdout. */
@Command(name = "secret", mixinStandardHelpOptions = true, description = "Secrets released by a key broker to this attested guest.",
        subcommands = {SecretCommand.Get.class})
final class SecretCommand {
    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Run RCAR with a key pair made for this exchange, unwrap the secret and hand it to a file (mode 0600),",
                    "the kernel as a logon key (or an fscrypt directory: guest-attest fscrypt unlock), or a PKCS#12 key store. The secret never reaches stdout, logs or messages."})
    static final class Get implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "kbs:///REPO/TYPE/TAG")
        String uri;

        @ArgGroup(exclusive = false, multiplicity = "1")
        BrokerOptions from;

        @Option(names = "--aux", paramLabel = "NAME=FILE", description = "Send this part with the evidence (repeatable), e.g. eventlog.ccel=FILE")
        Map<String, Path> aux = new HashMap<>();

        @Mixin
        CommonOptions common;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Sink sink;

        static final class Sink {
            @Option(names = "--out", paramLabel = "FILE", description = "Write the secret here, mode 0600")
            Path out;

            @Option(names = "--to-kernel-keyring", paramLabel = "DESC", description = "Add it to the kernel as a logon key <subclass>:<name>, "
                    + "e.g. cryptsetup:root (readable by the kernel only)")
            String kernel;

            @Option(names = "--to-keystore", paramLabel = "ALIAS", description = "Store it as a secret-key entry in the PKCS#12 --keystore")
            String alias;
        }

        @Option(names = "--keyring", paramLabel = "RING", defaultValue = "@u", description = "With --to-kernel-keyring: @u, @s, @us, @g or"
                + " a keyring's ID (default ${DEFAULT-VALUE}); works in a private session too, and refuses @s where there is no session keyring")
        String keyring;

        @Option(names = "--expire", paramLabel = "SECONDS", description = "With --to-kernel-keyring: the key expires after SECONDS (default: never)")
        Long expire;

        @Option(names = "--keystore", paramLabel = "P12", description = "With --to-keystore: the PKCS#12 file (created if absent)")
        Path keystore;

        @Option(names = "--keystore-password-file", paramLabel = "FILE", description = "With --to-keystore: its password")
        Path keystorePassword;

        @Override
        public Integer call() throws Exception {
            String path = resourcePath(uri);
            if (expire != null && sink.kernel == null) {
                throw AttestationException.invalid("--expire", "applies to --to-kernel-keyring only");
            }
            Duration lifetime = expire == null ? Duration.ZERO : KernelKeys.lifetime("--expire", expire);
            ProviderContext ctx = common.context();
            Map<String, Bytes> parts = new HashMap<>();
            for (Map.Entry<String, Path> a : aux.entrySet()) {
                parts.put(a.getKey(), Bytes.of(InputFiles.read("--aux " + a.getKey(), a.getValue(), AppraiseCommand.MAX_FILE)));
            }
            if (sink.alias != null && (keystore == null || keystorePassword == null)) {
                throw AttestationException.invalid("--to-keystore", "needs --keystore and --keystore-password-file");
            }
            int ring = KeyringId.parse(keyring);
            if (sink.kernel != null) { // before the broker releases anything
                LogonKeys.vet(sink.kernel);
                StagedKeys.requireOutlivesProcess(ring);
            }
            Secret secret = from.release(path, ctx, parts, Duration.ofSeconds(common.timeoutSeconds));
            try {
                land(secret, path, ring, lifetime);
            } finally {
                secret.destroy();
            }
            return Main.OK;
        }

        private void land(Secret secret, String path, int ring, Duration lifetime) throws Exception {
            if (sink.out != null) {
                secret.apply(b -> {
                    OutputFiles.write("--out", sink.out, b, true);
                    return null;
                });
                System.out.println("released " + path + " (" + secret.length() + " bytes) to " + sink.out + " (mode 0600)");
            } else if (sink.kernel != null) {
                int serial = LogonKeys.add(sink.kernel, secret, ring, KeyPermissions.POSSESSOR_ONLY, lifetime);
                System.out.println("released " + path + " (" + secret.length() + " bytes) into the kernel as logon key " + sink.kernel
                        + ", serial " + serial);
            } else {
                char[] pw = new String(java.nio.file.Files.readAllBytes(keystorePassword), java.nio.charset.StandardCharsets.UTF_8).strip()
                        .toCharArray();
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                if (java.nio.file.Files.exists(keystore)) {
                    try (var in = java.nio.file.Files.newInputStream(keystore)) {
                        ks.load(in, pw);
                    }
                } else {
                    ks.load(null, pw);
                }
                // the JDK's PKCS#12 keeps secret keys of named algorithms only; an HMAC key holds bytes of any length
                javax.crypto.SecretKey key = secret.apply(b -> new javax.crypto.spec.SecretKeySpec(b, "HmacSHA256"));
                ks.setEntry(sink.alias, new java.security.KeyStore.SecretKeyEntry(key), new java.security.KeyStore.PasswordProtection(pw));
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                ks.store(out, pw);
                java.util.Arrays.fill(pw, '\0');
                OutputFiles.write("--keystore", keystore, out.toByteArray(), true);
                System.out.println("released " + path + " (" + secret.length() + " bytes) into " + keystore + " as " + sink.alias);
            }
        }
    }

    /** The TEE a provider attests for: its name's prefix (tdx/emulated -> tdx); with none named, the real TEE found here. */
    static String tee(Optional<String> provider, ProviderContext ctx) {
        try (ProviderSession probe = ProviderSession.open(provider, ctx)) {
            return probe.providerName().substring(0, probe.providerName().indexOf('/'));
        }
    }

    /**
     * Evidence from {@code provider} (the machine's TEE when empty) with {@code parts} along: an SNP
     * report brings its certificate table when the host gave one. Collateral is the broker's to
     * fetch (a real guest sends none), so none is attached.
     */
    static KbsClient.Attester attester(Optional<String> provider, ProviderContext ctx, String tee, Map<String, Bytes> parts) {
        Map<String, Bytes> fixed = new HashMap<>(parts);
        Optional<Tee> t = Tees.discover().find(tee);
        Optional<String> auxblobPart = t.flatMap(Tee::auxblobPart);
        // in the form a Trustee reads (a TPM quotes as guest-components' attester does)
        ProviderContext settings = t.map(named -> named.trusteeSettings(ctx)).orElse(ctx);
        return reportData -> {
            try (ProviderSession s = ProviderSession.open(provider, settings)) {
                Report r = s.report(ReportRequest.of(reportData.toArray()));
                Map<String, Bytes> withBlob = new HashMap<>(fixed);
                if (auxblobPart.isPresent() && r.auxblob().length() > 0) {
                    withBlob.putIfAbsent(auxblobPart.get(), r.auxblob());
                }
                return new Evidence(Optional.empty(), r.outblob(), withBlob);
            }
        };
    }

    /** {@code kbs:///REPO/TYPE/TAG} (Trustee's resource URI; a host part, if any, is ignored for --broker). */
    static String resourcePath(String uri) {
        if (!uri.startsWith("kbs://")) {
            throw AttestationException.invalid("URI", "'" + uri + "' is not kbs:///REPO/TYPE/TAG");
        }
        String rest = uri.substring("kbs://".length());
        int slash = rest.indexOf('/');
        return dev.guestattest.broker.store.Resources.path(slash < 0 ? rest : rest.substring(slash + 1));
    }
}
