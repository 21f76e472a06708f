// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.core.configfs.LibcConfigfsIo;
import dev.guestattest.core.linux.Errno;
import java.time.Duration;
import java.util.Optional;

/**
 * --try-quote: one real report through configfs-tsm with the providers' own client (a zero nonce,
 * a private item removed afterwards), bounded in time; the only way a guest can tell the host's
 * quoting service works.
 */
final class TryQuote {
    private TryQuote() {
    }

    static Finding check(Machine m, Tee tee, Duration limit) {
        String check = tee.id() + ".quote";
        String provider = tee.kernelProvider().orElseThrow();
        ConfigfsReports reports = new ConfigfsReports(new LibcConfigfsIo(), m.configfsRoot(), provider);
        long start = System.nanoTime();
        Optional<ReportBlobs> outcome;
        try {
            outcome = Bounded.<Optional<ReportBlobs>>within(limit, "quote", () -> Optional.of(reports.generate(ReportRequest.of(new byte[64]))), Optional::empty);
        } catch (AttestationException e) {
            return Finding.fail(check, "configfs-tsm report failed: " + e.getMessage(), advice(tee, e));
        }
        if (outcome.isEmpty()) {
            return Finding.fail(check, "no report within " + limit.toSeconds() + " s (the kernel waits up to 30 s for a TDX quote)",
                    tee == Tee.TDX ? "the host's QGS does not answer: on the host check qgsd and its PCCS (systemctl status qgsd pccs)"
                            : "retry; the host may be throttling guest requests");
        }
        ReportBlobs blobs = outcome.get();
        long ms = (System.nanoTime() - start) / 1_000_000;
        return Finding.ok(check, "configfs-tsm returned " + blobs.outblob().length() + " bytes of evidence from " + provider + " in " + ms
                + " ms" + (blobs.auxblob().length() > 0 ? " with a " + blobs.auxblob().length() + "-byte auxblob" : ""));
    }

    private static String advice(Tee tee, AttestationException e) {
        int errno = e.errno().orElse(0);
        if (tee == Tee.TDX) {
            return switch (errno) {
                case Errno.EIO -> "the VMM reported a GetQuote failure: on the host, run the QGS (systemctl status qgsd), check its PCCS"
                        + " (systemctl status pccs, and that the platform is registered), and give QEMU's tdx-guest object a"
                        + " quote-generation-socket";
                case Errno.ETIMEDOUT -> "the QGS did not answer in 30 s: on the host check qgsd and the PCCS it asks";
                case Errno.EBUSY -> "an earlier quote is still in flight in the VMM: retry later; if it persists, reboot the TD";
                case Errno.EACCES, Errno.EPERM -> "run as root";
                default -> e.getMessage().contains("empty evidence") ? "an older kernel reports a GetQuote failure as an empty quote:"
                        + " check the host's QGS (systemctl status qgsd) and PCCS" : "";
            };
        }
        return switch (errno) {
            case Errno.ENOTTY -> "the guest's VMPCK was disabled after a failed request: reboot the guest";
            case Errno.ETIMEDOUT -> "the host throttled guest requests for 60 s: retry later";
            case Errno.EACCES, Errno.EPERM -> "run as root";
            default -> "";
        };
    }
}
