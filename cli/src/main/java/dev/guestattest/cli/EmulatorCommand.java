// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import java.util.Optional;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.tdx.emulator.EmulatedPlatform;
import dev.guestattest.tdx.emulator.TdConfig;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.snp.emulator.SnpGuestConfig;
import dev.guestattest.verify.initdata.InitData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "emulator", mixinStandardHelpOptions = true, description = "Manage the emulated TEEs: the TDX platform and TD, roots, collateral, the emulated PCS and KDS.",
        subcommands = {EmulatorCommand.Root.class, EmulatorCommand.Reset.class, EmulatorCommand.Extend.class,
                EmulatorCommand.CollateralCommand.class, EmulatorCommand.Serve.class})
final class EmulatorCommand {
    /** {@code --valid-days}: how long issued collateral stays valid. */
    private static Duration validDays(int days) {
        if (days < 1 || days > 3650) {
            throw AttestationException.invalid("--valid-days", days + " is outside 1..3650");
        }
        return Duration.ofDays(days);
    }

    @Command(name = "root", mixinStandardHelpOptions = true,
            description = {"Print the emulator's root (PEM on stdout, SHA-256 fingerprint on stderr), to pass to verify --root:",
                    "TDX: the root CA; SNP: the ARK followed by its ASK and ASVK."})
    static final class Root implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--tee", paramLabel = "TEE", defaultValue = "tdx", description = "Which TEE's emulator: tdx, snp, cca, cove, s390 (default ${DEFAULT-VALUE})")
        String tee;

        @Option(names = "--reference-values", paramLabel = "FILE",
                description = "CCA: also write the emulated platform's and realm's current state as reference values (rv.json)")
        java.nio.file.Path referenceValues;

        @Override
        public Integer call() throws Exception {
            Tee t = Tees.discover().byName("--tee", tee);
            EmulatorAnchors anchors = t.emulatorAnchors(common.context()).orElseThrow(() -> AttestationException.invalid("--tee",
                    "'" + tee + "' has no emulator here"));
            System.out.print(anchors.printed());
            System.err.println(anchors.hint());
            if (referenceValues != null) {
                byte[] rv = Optional.ofNullable(anchors.extras().get("reference-values")).orElseThrow(() -> AttestationException.invalid(
                        "--reference-values", "the " + tee + " emulator states no reference values (cca does)"));
                PemFiles.writeAtomically(referenceValues, rv, false);
                System.err.println("its reference values: " + referenceValues + ", for verify --" + tee + " --reference-values");
            }
            return Main.OK;
        }
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

        @Option(names = "--init-data", paramLabel = "FILE", description = "Launch with this init-data (TOML, as a Confidential Containers"
                + " pod's): its digest goes into the TD's MRCONFIGID and the SNP guest's HOST_DATA, zero-padded or cut to their size")
        Path initData;

        @Override
        public Integer call() throws java.io.IOException {
            ProviderContext context = common.context();
            TdConfig d = TdConfig.DEFAULT;
            Optional<Bytes> digest = Optional.empty();
            if (initData != null) {
                if (mrConfigId != null) {
                    throw AttestationException.invalid("--init-data", "sets MRCONFIGID itself; leave out --mrconfigid");
                }
                InitData id = InitData.parse("toml", new String(InputFiles.read("--init-data", initData, InitData.MAX_SIZE),
                        java.nio.charset.StandardCharsets.UTF_8));
                digest = Optional.of(id.digest());
                SnpGuestConfig.launchWith(context, sized(id.digest(), 32));
                System.out.println("emulator: init-data " + id.algorithm().label() + " " + id.digest().hex() + " in MRCONFIGID and SNP HOST_DATA");
            }
            TdConfig config = new TdConfig(hex("--mrtd", mrTd, d.mrTd(), 48), digest.map(x -> sized(x, 48))
                    .orElseGet(() -> hex("--mrconfigid", mrConfigId, d.mrConfigId(), 48)),
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

        /** Trustee's rule: the digest zero-padded, or its first bytes, to the field's size. */
        private static Bytes sized(Bytes digest, int length) {
            return Bytes.of(java.util.Arrays.copyOf(digest.toArray(), length));
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
            @Option(names = "--digest-hex", paramLabel = "HEX", description = "A 48-byte SHA-384 digest, measured elsewhere")
            String hex;

            @Option(names = "--data", paramLabel = "TEXT", description = "Text measured as a GuestAttest event")
            String data;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Digest digest;

        @Option(names = "--log", paramLabel = "FILE", description = "The event log (default <state-dir>/eventlog/rtmrN.cel, as mr extend)")
        Path log;

        @Option(names = "--json", description = "Print register, new value, event index and log as JSON (schemas/mr-extend.schema.json)")
        boolean json;

        /** As {@code mr extend rtmrN --provider tdx/emulated}: the event is logged before the register moves. */
        @Override
        public Integer call() throws java.io.IOException {
            if (rtmr < 0 || rtmr > 3) {
                throw AttestationException.invalid("--rtmr", rtmr + " is outside 0..3");
            }
            MrCommand.Extend.What what = new MrCommand.Extend.What();
            if (digest.hex != null) {
                Bytes.fromHex("--digest-hex", digest.hex).checkLength("--digest-hex", 48);
                what.digest = digest.hex;
            } else {
                what.event = digest.data;
            }
            String register = "rtmr" + rtmr;
            ProviderContext context = common.context();
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
                MrCommand.extendLogged(tdx.measurementRegisters().orElseThrow(), register,
                        log != null ? log : MrCommand.defaultLog(context, register), what).print(json);
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

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the JSON; - for stdout")
        Path out;

        @Option(names = "--valid-days", paramLabel = "N", defaultValue = "30", description = "Validity from now (default ${DEFAULT-VALUE})")
        int validDays;

        @Option(names = "--revoke-pck", description = "Revoke the platform's PCK certificate in the PCK CRL (for testing)")
        boolean revokePck;

        @Override
        public Integer call() {
            Duration validity = validDays(validDays);
            ProviderContext context = common.context();
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
                dev.guestattest.tdx.verify.Collateral c = EmulatedCollateral.issue(tdx.platform(), context.clock().instant(),
                        validity, revokePck, context.random());
                java.io.PrintStream summary = OutputFiles.summary(false, out);
                OutputFiles.write("--out", out, c.toDcapQvlJson());
                summary.println("wrote collateral for FMSPC " + tdx.platform().tcb().fmspc().hex() + " to " + out
                        + (revokePck ? " (PCK revoked)" : "") + "; valid " + validDays + " days");
            }
            return Main.OK;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serve the emulators' collateral over HTTP at the paths of Intel's PCS and AMD's KDS. The emulated TDX platform's:",
                    "TCB Info, QE Identity, PCK and root CA CRLs with their issuer-chain headers (PCS API v4); the emulated SNP chip's:",
                    "VCEKs, certificate chains and CRL (KDS). The first line printed is 'serving at URL', the base URL of both; then one",
                    "line per service and one per request. Serves until interrupted."})
    static final class Serve implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--port", paramLabel = "N", defaultValue = "0", description = "Port to listen on (default ${DEFAULT-VALUE}: any free port)")
        int port;

        @Option(names = "--valid-days", paramLabel = "N", defaultValue = "30",
                description = "Validity of the collateral, issued at start (default ${DEFAULT-VALUE})")
        int validDays;

        @Option(names = "--throttle-first", paramLabel = "N", defaultValue = "0",
                description = "For testing clients: answer the first N requests 429 Too Many Requests, as KDS throttles (default ${DEFAULT-VALUE})")
        int throttleFirst;

        @Option(names = "--retry-after", paramLabel = "SECONDS", defaultValue = "1",
                description = "For testing clients: the Retry-After of those 429 answers (default ${DEFAULT-VALUE})")
        int retryAfter;

        @Option(names = "--tamper-tcb-info", description = "For testing verifiers: change one digit inside every TDX TCB Info's signed"
                + " object, so its signature fails")
        boolean tamperTcbInfo;

        @Override
        public Integer call() {
            if (port < 0 || port > 65_535) {
                throw AttestationException.invalid("--port", port + " is outside 0..65535");
            }
            if (throttleFirst < 0) {
                throw AttestationException.invalid("--throttle-first", throttleFirst + " is negative");
            }
            if (retryAfter < 0 || retryAfter > 86_400) {
                throw AttestationException.invalid("--retry-after", retryAfter + " is outside 0..86400 seconds");
            }
            Duration validity = validDays(validDays);
            ProviderContext context = common.context();
            List<EmulatedService> services = Tees.discover().emulatedServices(context, validity);
            if (services.isEmpty()) {
                throw AttestationException.of(Reason.NO_PROVIDER, "no TEE here has an emulated collateral service");
            }
            EmulatedServer server = EmulatedServer.start(host, port, services, new EmulatedServer.Faults(throttleFirst, retryAfter,
                    tamperTcbInfo, 0), line -> System.out.println(line));
            // SIGINT/SIGTERM: the JVM runs its hooks and exits; an interrupt (in-process callers) returns below
            Thread hook = new Thread(server::close, "emulator-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            // one write: whoever waits for the ready line finds the services under it
            StringBuilder ready = new StringBuilder("serving at " + server.uri() + "\n");
            services.forEach(s -> ready.append("  ").append(s.description()).append('\n'));
            System.out.print(ready);
            System.out.flush();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                server.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run: the server is closed either way
                }
            }
            return Main.OK;
        }
    }
}
