// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a TD gets a quote signed, the cause of most "Failed to get the quote" threads. Two paths:
 * configfs-tsm (guest-attest's: the kernel hands GetQuote to the VMM, which asks the host's QGS) and
 * the vsock QGS (Intel's libtdx_attest when /etc/tdx-attest.conf names a port: straight to the QGS at
 * CID 2). The guest cannot see the host's QGS behind configfs; --try-quote asks for a quote.
 */
final class TdxQuotePath {
    static final int INTEL_DEFAULT_PORT = 4050;
    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final String HOST = "on the host: run the QGS (systemctl status qgsd) and give QEMU's tdx-guest object"
            + " quote-generation-socket={\"type\":\"vsock\",\"cid\":\"2\",\"port\":\"4050\"}";

    private TdxQuotePath() {
    }

    /** /etc/tdx-attest.conf: {@code port=N}; empty port when the file has none or a bad one. */
    record Conf(Path file, OptionalInt port, String problem) {
        static Optional<Conf> read(Machine m) {
            Path file = m.etc("tdx-attest.conf");
            return Texts.read(file, 64 * 1024).map(text -> {
                for (String line : text.split("\n")) {
                    String l = line.strip();
                    if (l.startsWith("port") && l.contains("=")) {
                        String v = l.substring(l.indexOf('=') + 1).strip();
                        try {
                            int port = Integer.parseInt(v);
                            if (port > 0) {
                                return new Conf(file, OptionalInt.of(port), "");
                            }
                        } catch (NumberFormatException e) {
                            // reported below
                        }
                        return new Conf(file, OptionalInt.empty(), "its port line '" + l + "' has no port number");
                    }
                }
                return new Conf(file, OptionalInt.empty(), "it has no port= line");
            });
        }
    }

    static Finding check(Machine m, ConfigfsTsm tsm, boolean triedQuote) {
        boolean configfs = tsm.provider().equals(Optional.of("tdx_guest"));
        String viaConfigfs = configfs ? "configfs-tsm (provider tdx_guest): the kernel passes GetQuote to the VMM, which asks the host's QGS"
                + (triedQuote ? "" : "; the guest cannot see the QGS, --try-quote asks for one quote")
                : "no configfs-tsm path (" + (tsm.provider().isPresent() ? "provider " + tsm.provider().get() : "no provider") + ")";
        Optional<Conf> conf = Conf.read(m);
        if (conf.isEmpty()) {
            String detail = viaConfigfs + "; no " + m.etc("tdx-attest.conf") + ": the vsock QGS path (Intel's libtdx_attest) is off; it"
                    + " needs port=" + INTEL_DEFAULT_PORT + " (Intel's default)";
            return configfs ? Finding.ok("tdx.quote-path", detail) : Finding.fail("tdx.quote-path", detail, "load tdx_guest on Linux 6.7+ for"
                    + " configfs-tsm (modprobe tdx_guest), and " + HOST);
        }
        Conf c = conf.get();
        if (c.port().isEmpty()) {
            String detail = viaConfigfs + "; " + c.file() + " exists but " + c.problem() + ", so libtdx_attest has no vsock QGS address";
            String fix = "write port=" + INTEL_DEFAULT_PORT + " (Intel's default) into " + c.file() + ", or remove the file";
            return configfs ? Finding.warn("tdx.quote-path", detail, fix) : Finding.fail("tdx.quote-path", detail, fix + "; " + HOST);
        }
        int port = c.port().getAsInt();
        Path vsock = m.dev("vsock");
        String where = "vsock CID " + Vsock.HOST_CID + " port " + port + " (" + c.file() + ")";
        if (!Files.exists(vsock)) {
            String detail = viaConfigfs + "; " + c.file() + " names port " + port + " but there is no " + vsock + ": the TD has no vsock device";
            String fix = "give the TD a vsock device (QEMU: -device vhost-vsock-pci,guest-cid=3) and load its driver (modprobe"
                    + " vmw_vsock_virtio_transport), or remove " + c.file() + " to use configfs-tsm";
            return configfs ? Finding.warn("tdx.quote-path", detail, fix) : Finding.fail("tdx.quote-path", detail, fix);
        }
        if (!m.devDir().equals(Path.of("/dev"))) {
            // a test tree's vsock node is a stand-in: a connect would reach this machine's real host
            String detail = viaConfigfs + "; " + c.file() + " names port " + port + "; vsock not probed (" + m.devDir() + " is not /dev)";
            return configfs ? Finding.ok("tdx.quote-path", detail) : Finding.warn("tdx.quote-path", detail, "run doctor on the TD itself");
        }
        OptionalInt errno = Bounded.within(LIMIT.plusSeconds(1), "vsock", () -> Vsock.connect(Vsock.HOST_CID, port),
                () -> OptionalInt.of(110));
        if (errno.isEmpty()) {
            return Finding.ok("tdx.quote-path", viaConfigfs + "; a QGS answers at " + where);
        }
        String detail = viaConfigfs + "; nothing answers at " + where + ": " + Vsock.explain(errno.getAsInt());
        String fix = HOST + "; if the QGS listens on another port, put it in " + c.file();
        return configfs ? Finding.warn("tdx.quote-path", detail + " (guest-attest uses configfs-tsm; libtdx_attest users fail)", fix)
                : Finding.fail("tdx.quote-path", detail, fix);
    }
}
