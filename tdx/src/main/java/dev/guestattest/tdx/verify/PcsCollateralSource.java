// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.fetch.HttpFetch;
import dev.guestattest.core.state.AtomicFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collateral from an Intel-PCS-compatible service (API v4; base URL configurable, e.g. a PCCS),
 * cached on disk per FMSPC and PCK CA in dcap-qvl's layout. A cached copy is used while every part
 * is fresh (before the earliest nextUpdate); only then is the service asked again. A failed fetch
 * is a typed error, unless a still-fresh cached copy exists. TCB Info and QE Identity are kept as
 * the exact bytes served.
 */
public final class PcsCollateralSource implements CollateralSource {
    public static final URI INTEL_PCS = URI.create("https://api.trustedservices.intel.com");
    public static final URI INTEL_ROOT_CRL = URI.create("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");

    private final URI base;
    private final URI rootCrl;
    private final Path cacheDir;
    private final HttpFetch http;
    private final Clock clock;
    private final Map<String, Collateral> memory = new ConcurrentHashMap<>();

    public PcsCollateralSource(URI base, URI rootCrl, Path cacheDir, Duration timeout, Clock clock) {
        this.base = base;
        this.rootCrl = rootCrl;
        this.cacheDir = cacheDir;
        this.clock = clock;
        this.http = new HttpFetch(timeout, Collateral.MAX_JSON);
    }

    @Override
    public Collateral forPlatform(Bytes fmspc, PckCa ca) {
        String key = fmspc.hex().toUpperCase(Locale.ROOT) + "-" + ca.query();
        Instant now = clock.instant();
        Collateral cached = memory.get(key);
        if (cached == null) {
            cached = readCache(key).orElse(null);
        }
        if (cached != null && freshUntil(cached).isAfter(now)) {
            memory.put(key, cached);
            return cached;
        }
        try {
            Collateral fetched = fetch(fmspc, ca);
            writeCache(key, fetched);
            memory.put(key, fetched);
            return fetched;
        } catch (AttestationException e) {
            throw AttestationException.of(e.reason(), "collateral: " + e.getMessage() + (cached == null ? "; no cached copy"
                    : "; the cached copy went stale at " + freshUntil(cached)));
        }
    }

    /** The earliest nextUpdate of the collateral's parts: after it, the copy must be replaced. */
    static Instant freshUntil(Collateral c) {
        try {
            Instant t = TcbInfo.parse(c.tcbInfo()).nextUpdate();
            Instant q = QeIdentity.parse(c.qeIdentity()).nextUpdate();
            Instant earliest = t.isBefore(q) ? t : q;
            for (Bytes der : List.of(c.rootCaCrl(), c.pckCrl())) {
                X509CRL crl = PreparedCollateral.crl("crl", der.toArray());
                if (crl.getNextUpdate() == null) {
                    return Instant.MIN;
                }
                Instant n = crl.getNextUpdate().toInstant();
                earliest = n.isBefore(earliest) ? n : earliest;
            }
            return earliest;
        } catch (AttestationException e) {
            return Instant.MIN; // an unreadable copy is never fresh
        }
    }

    private Collateral fetch(Bytes fmspc, PckCa ca) {
        HttpFetch.Response tcb = get(base.resolve("/tdx/certification/v4/tcb?fmspc=" + fmspc.hex().toUpperCase(Locale.ROOT)));
        HttpFetch.Response qe = get(base.resolve("/tdx/certification/v4/qe/identity"));
        HttpFetch.Response pckCrl = get(base.resolve("/sgx/certification/v4/pckcrl?ca=" + ca.query() + "&encoding=der"));
        HttpFetch.Response root = get(rootCrl);
        return Collateral.fromPcsResponses(text(tcb), chain(tcb, "TCB-Info-Issuer-Chain"), text(qe),
                chain(qe, "SGX-Enclave-Identity-Issuer-Chain"), pckCrl.body(), chain(pckCrl, "SGX-PCK-CRL-Issuer-Chain"), root.body());
    }

    private HttpFetch.Response get(URI uri) {
        HttpFetch.Response r = http.get(uri);
        if (r.status() != 200) {
            String why = r.header("Error-Message").or(() -> r.header("Error-Code")).orElse("");
            throw AttestationException.of(Reason.DEVICE_ERROR, uri + " answered HTTP " + r.status() + (why.isEmpty() ? "" : " (" + why + ")"));
        }
        return r;
    }

    private static String text(HttpFetch.Response r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String chain(HttpFetch.Response r, String header) {
        return URLDecoder.decode(r.header(header).orElseThrow(() -> AttestationException.of(Reason.DEVICE_ERROR,
                r.uri() + " sent no " + header + " header")), StandardCharsets.UTF_8);
    }

    private Optional<Collateral> readCache(String key) {
        Path f = cacheDir.resolve(key + ".json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CollateralSource.file(f));
        } catch (AttestationException e) {
            return Optional.empty(); // a damaged cache entry is refetched
        }
    }

    private void writeCache(String key, Collateral c) {
        try {
            AtomicFiles.createPrivateDirectories(cacheDir);
            AtomicFiles.write(cacheDir.resolve(key + ".json"), c.toDcapQvlJson(), false);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot write the collateral cache in " + cacheDir + ": " + e.getMessage());
        }
    }
}
