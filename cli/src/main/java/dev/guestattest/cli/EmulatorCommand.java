package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.emulator.EmulatedPlatform;
import dev.guestattest.tdx.emulator.TdConfig;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "emulator", mixinStandardHelpOptions = true, description = "Manage the emulated TDX platform and TD.",
        subcommands = {EmulatorCommand.Root.class, EmulatorCommand.Reset.class, EmulatorCommand.Extend.class,
                EmulatorCommand.CollateralCommand.class})
final class EmulatorCommand {
    @Command(name = "root", mixinStandardHelpOptions = true,
            description = {"Print the emulator's root (PEM on stdout, SHA-256 fingerprint on stderr), to pass to verify --root:",
                    "TDX: the root CA; SNP: the ARK followed by its ASK and ASVK."})
    static final class Root implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--tee", paramLabel = "tdx|snp|cca|cove|s390", defaultValue = "tdx", description = "Which emulator (default ${DEFAULT-VALUE})")
        String tee;

        @Option(names = "--reference-values", paramLabel = "FILE",
                description = "CCA: also write the emulated platform's and realm's current state as reference values (rv.json)")
        java.nio.file.Path referenceValues;

        @Override
        public Integer call() throws Exception {
            if (tee.equals("snp")) {
                EmulatedSnpPlatform chip = SnpEmulatedProvider.open(common.context()).chip();
                for (java.security.cert.X509Certificate c : java.util.List.of(chip.arkCertificate(), chip.askCertificate(),
                        chip.asvkCertificate())) {
                    System.out.print(PemFiles.pem("CERTIFICATE", c.getEncoded()));
                }
                System.err.println("ARK sha256 fingerprint: " + java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(chip.arkCertificate().getEncoded())));
                return Main.OK;
            }
            if (tee.equals("cove")) {
                System.out.print(PemFiles.pem("CERTIFICATE", dev.guestattest.cove.emulator.EmulatedTsm.open(common.context()).rootCertificate().getEncoded()));
                System.err.println("the emulated DICE root: pass it to verify --cove --root");
                return Main.OK;
            }
            if (tee.equals("s390")) {
                dev.guestattest.s390.emulator.S390EmulatedProvider p = dev.guestattest.s390.emulator.S390EmulatedProvider.open(common.context());
                var img = p.ultravisor().image();
                com.fasterxml.jackson.databind.node.ObjectNode n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
                n.put("host_key", S390Command.pem(p.ultravisor().hostPublicKey()));
                n.putObject("image").put("pld", img.pageListDigest().hex()).put("ald", img.addressListDigest().hex())
                        .put("tld", img.tweakListDigest().hex()).put("tag", img.tag().hex());
                System.out.println(n.toPrettyString());
                System.err.println("host_key goes to 's390 request --host-key' (as PEM); this whole file to 'verify --s390 --image'");
                return Main.OK;
            }
            if (tee.equals("cca")) {
                dev.guestattest.cca.emulator.EmulatedRealm realm = dev.guestattest.cca.emulator.EmulatedRealm.open(common.context());
                java.security.interfaces.ECPublicKey k = realm.cpak();
                java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
                com.fasterxml.jackson.databind.node.ArrayNode a = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
                com.fasterxml.jackson.databind.node.ObjectNode ta = a.addObject();
                ta.putObject("pkey").put("kty", "EC").put("crv", "P-384").put("x", b64.encodeToString(fixed48(k.getW().getAffineX())))
                        .put("y", b64.encodeToString(fixed48(k.getW().getAffineY())));
                ta.put("instance-id", realm.instanceId().hex()).put("implementation-id", realm.implementationId().hex());
                System.out.println(a.toPrettyString());
                System.err.println("the emulated CPAK as a trust anchor: pass this file to verify --cca --cpak");
                if (referenceValues != null) {
                    PemFiles.writeAtomically(referenceValues, realm.referenceValuesJson(), false);
                    System.err.println("its reference values: " + referenceValues + ", for verify --cca --reference-values");
                }
                return Main.OK;
            }
            if (!tee.equals("tdx")) {
                throw AttestationException.invalid("--tee", "'" + tee + "'; must be tdx, snp, cca, cove or s390");
            }
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(common.context())) {
                System.out.print(tdx.platform().rootCertificatePem());
                System.err.println("sha256 fingerprint: " + tdx.platform().rootFingerprint());
            }
            return Main.OK;
        }
    }

    private static byte[] fixed48(java.math.BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[48];
        int n = Math.min(b.length, 48);
        System.arraycopy(b, b.length - n, out, 48 - n, n);
        return out;
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Relaunch the emulated TD: RTMRs to zero, optionally new MRs; --platform also discards keys and root.")
    static final class Reset implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--platform", description = "Also delete the platform keys and root CA (a new root is made next time)")
        boolean platform;

        @Option(names = "--mrtd", paramLabel = "HEX", description = "48-byte MRTD")
        String mrTd;

        @Option(names = "--mrconfigid", paramLabel = "HEX", description = "48-byte MRCONFIGID")
        String mrConfigId;

        @Option(names = "--mrowner", paramLabel = "HEX", description = "48-byte MROWNER")
        String mrOwner;

        @Option(names = "--mrownerconfig", paramLabel = "HEX", description = "48-byte MROWNERCONFIG")
        String mrOwnerConfig;

        @Option(names = "--attributes", paramLabel = "HEX", description = "8-byte TD ATTRIBUTES (bit 0 = DEBUG)")
        String attributes;

        @Option(names = "--xfam", paramLabel = "HEX", description = "8-byte XFAM")
        String xfam;

        @Override
        public Integer call() {
            ProviderContext context = common.context();
            TdConfig d = TdConfig.DEFAULT;
            TdConfig config = new TdConfig(hex("--mrtd", mrTd, d.mrTd(), 48), hex("--mrconfigid", mrConfigId, d.mrConfigId(), 48),
                    hex("--mrowner", mrOwner, d.mrOwner(), 48), hex("--mrownerconfig", mrOwnerConfig, d.mrOwnerConfig(), 48),
                    hex("--attributes", attributes, d.attributes(), 8), hex("--xfam", xfam, d.xfam(), 8));
            if (platform) {
                EmulatedPlatform.destroy(TdxEmulatedProvider.stateDir(context));
                System.out.println("emulator: platform keys and root deleted from " + TdxEmulatedProvider.stateDir(context));
            }
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
                tdx.td().reset(config);
                System.out.println("emulator: TD reset (RTMR0-3 zero, MRTD " + config.mrTd().hex().substring(0, 16) + "...)");
            }
            return Main.OK;
        }

        private static Bytes hex(String option, String value, Bytes fallback, int length) {
            return value == null ? fallback : Bytes.fromHex(option, value).checkLength(option, length);
        }
    }

    @Command(name = "extend", mixinStandardHelpOptions = true,
            description = "Extend an RTMR of the emulated TD: RTMR[n] = SHA-384(RTMR[n] || digest). Irreversible until reset.")
    static final class Extend implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--rtmr", paramLabel = "N", required = true, description = "Register 0..3")
        int rtmr;

        static final class Digest {
            @Option(names = "--digest-hex", paramLabel = "HEX", description = "A 48-byte SHA-384 digest")
            String hex;

            @Option(names = "--data", paramLabel = "TEXT", description = "Text whose SHA-384 is the digest")
            String data;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Digest digest;

        @Override
        public Integer call() {
            if (rtmr < 0 || rtmr > 3) {
                throw AttestationException.invalid("--rtmr", rtmr + " is outside 0..3");
            }
            byte[] d = digest.hex != null ? Bytes.fromHex("--digest-hex", digest.hex).checkLength("--digest-hex", 48).toArray()
                    : TdReport.sha384(digest.data.getBytes(StandardCharsets.UTF_8));
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(common.context())) {
                System.out.println("rtmr" + rtmr + " = " + tdx.td().extend(rtmr, d).hex());
            }
            return Main.OK;
        }
    }

    @Command(name = "collateral", mixinStandardHelpOptions = true,
            description = {"Write the collateral Intel's PCS would serve for the emulated platform (dcap-qvl JSON layout): CRLs,",
                    "TCB Info and QE Identity signed by the emulator's TCB signing key. Verify with --root from 'emulator root'."})
    static final class CollateralCommand implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the JSON")
        Path out;

        @Option(names = "--valid-days", paramLabel = "N", defaultValue = "30", description = "Validity from now (default ${DEFAULT-VALUE})")
        int validDays;

        @Option(names = "--revoke-pck", description = "Revoke the platform's PCK certificate in the PCK CRL (for testing)")
        boolean revokePck;

        @Override
        public Integer call() {
            if (validDays < 1 || validDays > 3650) {
                throw AttestationException.invalid("--valid-days", validDays + " is outside 1..3650");
            }
            ProviderContext context = common.context();
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
                dev.guestattest.tdx.verify.Collateral c = EmulatedCollateral.issue(tdx.platform(), context.clock().instant(),
                        java.time.Duration.ofDays(validDays), revokePck, context.random());
                OutputFiles.write("--out", out, c.toDcapQvlJson());
                System.out.println("wrote collateral for FMSPC " + tdx.platform().tcb().fmspc().hex() + " to " + out
                        + (revokePck ? " (PCK revoked)" : "") + "; valid " + validDays + " days");
            }
            return Main.OK;
        }
    }
}
