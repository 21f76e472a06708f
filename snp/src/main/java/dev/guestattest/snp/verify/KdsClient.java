// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.fetch.HttpFetch;
import dev.guestattest.core.state.AtomicFiles;
import dev.guestattest.snp.abi.TcbVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * AMD's Key Distribution Service (formats.md §2.6), base URL configurable. A VCEK is fetched once
 * and kept on disk (it never changes for a chip and TCB); certificate chains likewise; CRLs are kept
 * until their nextUpdate. KDS throttles: a 429 is retried after its Retry-After (or an exponential
 * backoff), a bounded number of times; a 404 (no such chip or TCB) is told apart from a timeout.
 */
public final class KdsClient {
    public static final URI AMD_KDS = URI.create("https://kdsintf.amd.com");
    private static final int MAX_BODY = 256 * 1024;

    private final URI base;
    private final Path cache;
    private final HttpFetch http;
    private final int attempts;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Clock clock;

    public KdsClient(URI base, Path cache, Duration timeout, int attempts, Duration backoff, Duration maxBackoff, Clock clock) {
        if (attempts < 1) {
            throw AttestationException.invalid("KDS attempts", attempts + " must be at least 1");
        }
        this.base = base;
        this.cache = cache;
        this.http = new HttpFetch(timeout, MAX_BODY);
        this.attempts = attempts;
        this.backoff = backoff;
        this.maxBackoff = maxBackoff;
        this.clock = clock;
    }

    /** The VCEK (DER) of the chip with {@code chipId} at {@code tcb}. */
    public byte[] vcek(Product product, Bytes chipId, TcbVersion tcb) {
        TcbVersion.Parts p = tcb.parts(product.layout());
        String hwid = Bytes.of(chipId.toArray(), 0, product.hwIdLength()).hex();
        String query = String.format(Locale.ROOT, "blSPL=%02d&teeSPL=%02d&snpSPL=%02d&ucodeSPL=%02d", p.bootLoader(), p.tee(), p.snp(),
                p.microcode()) + (product == Product.TURIN ? String.format(Locale.ROOT, "&fmcSPL=%02d", p.fmc()) : "");
        Path file = cache.resolve("vcek").resolve(product.kdsName()).resolve(hwid + "-" + String.format("%016x", tcb.raw()) + ".der");
        return cached(file, () -> {
            byte[] der = fetch(base.resolve("/vcek/v1/" + product.kdsName() + "/" + hwid + "?" + query),
                    "VCEK for " + product.kdsName() + " chip " + hwid.substring(0, 16) + "... at TCB " + p);
            SnpCertificates.der("VCEK from KDS", der); // refuse to cache anything but a certificate
            return der;
        });
    }

    /** The ASK (or ASVK) and ARK, PEM, as KDS serves them. */
    public byte[] certChain(Product product, boolean vlek) {
        String kind = vlek ? "vlek" : "vcek";
        return cached(cache.resolve(kind).resolve(product.kdsName()).resolve("cert_chain.pem"),
                () -> fetch(base.resolve("/" + kind + "/v1/" + product.kdsName() + "/cert_chain"), product.kdsName() + " certificate chain"));
    }

    /** The ARK's CRL (DER), refetched once the cached copy's nextUpdate has passed. */
    public byte[] crl(Product product, boolean vlek) {
        String kind = vlek ? "vlek" : "vcek";
        Path file = cache.resolve(kind).resolve(product.kdsName()).resolve("crl.der");
        if (Files.isRegularFile(file)) {
            try {
                byte[] der = Files.readAllBytes(file);
                X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
                if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isAfter(clock.instant())) {
                    return der;
                }
            } catch (IOException | GeneralSecurityException e) {
                // a damaged copy is refetched
            }
        }
        byte[] der = fetch(base.resolve("/" + kind + "/v1/" + product.kdsName() + "/crl"), product.kdsName() + " CRL");
        store(file, der);
        return der;
    }

    private byte[] fetch(URI uri, String what) {
        long wait = backoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            HttpFetch.Response r = http.get(uri);
            if (r.status() == 200) {
                return r.body();
            }
            if (r.status() == 404) {
                throw AttestationException.of(Reason.KEY_NOT_FOUND, "KDS has no " + what + " (HTTP 404 from " + uri + ")");
            }
            if (r.status() != 429 && r.status() != 503) {
                throw AttestationException.of(Reason.DEVICE_ERROR, "KDS answered HTTP " + r.status() + " for the " + what + " (" + uri + ")");
            }
            if (attempt >= attempts) {
                throw AttestationException.of(Reason.BUSY, "KDS is throttling (HTTP " + r.status() + ") and still was after " + attempts
                        + " attempts for the " + what + "; try later or use a cached or local copy");
            }
            long delay = Math.min(maxBackoff.toMillis(), r.header("Retry-After").map(KdsClient::seconds).orElse(wait));
            sleep(delay);
            wait = Math.min(maxBackoff.toMillis(), wait * 2);
        }
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(0, Long.parseLong(retryAfter.strip())) * 1000;
        } catch (NumberFormatException e) {
            return 1000;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted while KDS was throttling");
        }
    }

    private interface Fetch {
        byte[] get();
    }

    private byte[] cached(Path file, Fetch fetch) {
        if (Files.isRegularFile(file)) {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                // refetched below
            }
        }
        byte[] body = fetch.get();
        store(file, body);
        return body;
    }

    private void store(Path file, byte[] body) {
        try {
            AtomicFiles.createPrivateDirectories(file.getParent());
            AtomicFiles.write(file, body, false);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot write the KDS cache in " + cache + ": " + e.getMessage());
        }
    }
}
