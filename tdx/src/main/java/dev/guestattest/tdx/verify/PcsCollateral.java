// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralItem;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.Document;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.pki.Pem;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.function.Function;

/**
 * TDX collateral from the collateral service, as Intel's PCS API v4 (or a PCCS) serves it: TCB
 * Info per FMSPC, QE Identity, the PCK CRL per CA and the root CA CRL, each a cache item of its own
 * (a new platform costs one TCB Info fetch; the rest is shared), each checked against the trust
 * anchors before it is kept. Intel serves the root CA CRL from another host; a PCCS serves it
 * under its own base.
 */
public final class PcsCollateral implements CollateralSource {
    public static final URI INTEL_ROOT_CRL = URI.create("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");
    static final String TCB_CHAIN = "TCB-Info-Issuer-Chain";
    static final String QE_CHAIN = "SGX-Enclave-Identity-Issuer-Chain";
    static final String PCK_CRL_CHAIN = "SGX-PCK-CRL-Issuer-Chain";

    private static final int MAX_PLATFORMS = 256;

    private final CollateralService service;
    private final TrustAnchors anchors;
    private final Map<String, Assembled> assembled = new ConcurrentHashMap<>();

    /** The parts last put together per platform, so a warm verification reuses one {@link Collateral} (and its checked form). */
    private record Assembled(SignedPart tcb, SignedPart qe, CrlPart pck, CrlPart root, Collateral collateral) {
    }

    /** The signed JSON object as served with its signature and issuer chain. */
    public record SignedPart(String raw, Bytes signature, String chain) {
    }

    /** A CRL as served, DER, with its issuer chain (empty for the root CA CRL). */
    public record CrlPart(Bytes der, String chain) {
    }

    public PcsCollateral(CollateralService service, TrustAnchors anchors) {
        this.service = service;
        this.anchors = anchors;
    }

    /** Every item the platform of {@code quote} needs, for prefetching ({@code collateral fetch}); its PCK chain must be trusted. */
    public List<CollateralItem<?>> items(byte[] quote) {
        PckChain pck = PckChain.of(dev.guestattest.tdx.abi.Quote.parse(quote).qeReportCertificationData().pckCertificationData().pemChain(),
                anchors);
        if (!pck.usable()) {
            throw AttestationException.invalid("PCK certificate chain", pck.problem());
        }
        Bytes fmspc = pck.extensions().orElseThrow().fmspc();
        return List.of(tcbInfo(fmspc), qeIdentity(), pckCrl(PckCa.issuerOf(pck.chain().orElseThrow().leaf())), rootCrl());
    }

    /** A platform's collateral and where its TCB Info came from (cache, directory, fetched now; within the grace period). */
    public record Fetched(Collateral collateral, String provenance) {
    }

    @Override
    public Collateral forPlatform(Bytes fmspc, PckCa ca) {
        return fetch(fmspc, ca).collateral();
    }

    /** The four items of a platform from the service, put together once for as long as the service hands out the same ones. */
    public Fetched fetch(Bytes fmspc, PckCa ca) {
        CollateralService.Collected<SignedPart> tcb = service.get(tcbInfo(fmspc));
        CollateralService.Collected<SignedPart> qe = service.get(qeIdentity());
        CollateralService.Collected<CrlPart> pck = service.get(pckCrl(ca));
        CollateralService.Collected<CrlPart> root = service.get(rootCrl());
        String key = fmspc.hex() + "/" + ca.query();
        Assembled a = assembled.get(key);
        if (a == null || a.tcb() != tcb.value() || a.qe() != qe.value() || a.pck() != pck.value() || a.root() != root.value()) {
            a = new Assembled(tcb.value(), qe.value(), pck.value(), root.value(), new Collateral(pck.value().chain(), root.value().der(),
                    pck.value().der(), tcb.value().chain(), tcb.value().raw(), tcb.value().signature(), qe.value().chain(), qe.value().raw(),
                    qe.value().signature()));
            if (assembled.size() >= MAX_PLATFORMS) {
                assembled.clear();
            }
            assembled.put(key, a);
        }
        boolean graced = tcb.withinGrace() || qe.withinGrace() || pck.withinGrace() || root.withinGrace();
        return new Fetched(a.collateral(), "TCB Info " + tcb.source() + (graced ? "; past its freshness, used within the grace period" : ""));
    }

    public CollateralItem<SignedPart> tcbInfo(Bytes fmspc) {
        String id = fmspc.hex().toUpperCase(Locale.ROOT);
        return new Item<>("tdx/tcb-info/" + id, "TCB Info for FMSPC " + id, "/tdx/certification/v4/tcb?fmspc=" + id, List.of(TCB_CHAIN),
                d -> {
                    SignedPart p = signed(d, "tcbInfo", TCB_CHAIN);
                    PreparedCollateral.Signed<TcbInfo> s = PreparedCollateral.signedJson("tcb_info", p.chain(), p.raw(),
                            p.signature().toArray(), anchors, TcbInfo::parse);
                    if (!s.value().fmspc().equals(fmspc)) {
                        throw AttestationException.invalid("tcb_info.fmspc", s.value().fmspc().hex() + " answered a request for " + id);
                    }
                    return new CollateralItem.Checked<>(p, earliest(s.value().nextUpdate(), s.chain()));
                });
    }

    public CollateralItem<SignedPart> qeIdentity() {
        return new Item<>("tdx/qe-identity", "TD QE Identity", "/tdx/certification/v4/qe/identity", List.of(QE_CHAIN), d -> {
            SignedPart p = signed(d, "enclaveIdentity", QE_CHAIN);
            PreparedCollateral.Signed<QeIdentity> s = PreparedCollateral.signedJson("qe_identity", p.chain(), p.raw(),
                    p.signature().toArray(), anchors, QeIdentity::parse);
            return new CollateralItem.Checked<>(p, earliest(s.value().nextUpdate(), s.chain()));
        });
    }

    public CollateralItem<CrlPart> pckCrl(PckCa ca) {
        return new Item<>("tdx/pck-crl/" + ca.query(), "PCK CRL of the " + ca.query() + " CA", "/sgx/certification/v4/pckcrl?ca="
                + ca.query() + "&encoding=der", List.of(PCK_CRL_CHAIN), d -> {
            String chain = chain(d, PCK_CRL_CHAIN);
            byte[] der = crlBytes(d.body());
            PreparedCollateral.Signed<X509CRL> s = PreparedCollateral.pckCrl(chain, der, anchors);
            return new CollateralItem.Checked<>(new CrlPart(Bytes.of(der), chain), earliest(nextUpdate(s.value()), s.chain()));
        });
    }

    public CollateralItem<CrlPart> rootCrl() {
        return new Item<>("tdx/root-ca-crl", "root CA CRL", "/sgx/certification/v4/rootcacrl", List.of(), d -> {
            byte[] der = crlBytes(d.body());
            return new CollateralItem.Checked<>(new CrlPart(Bytes.of(der), ""), nextUpdate(PreparedCollateral.rootCrl(der, anchors)));
        }) {
            @Override
            public Optional<URI> location(Origins origins) {
                return origins.base(Origins.PCS).map(b -> b.getHost().equals(Origins.INTEL_PCS.getHost()) ? INTEL_ROOT_CRL : Origins.resolve(b, path));
            }
        };
    }

    /** One PCS document: its path under the PCS base and how it is checked. */
    private static class Item<T> implements CollateralItem<T> {
        private final String key;
        private final String what;
        final String path;
        private final List<String> headers;
        private final Function<Document, Checked<T>> open;

        Item(String key, String what, String path, List<String> headers, Function<Document, Checked<T>> open) {
            this.key = key;
            this.what = what;
            this.path = path;
            this.headers = headers;
            this.open = open;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public String what() {
            return what;
        }

        @Override
        public Optional<URI> location(Origins origins) {
            return origins.base(Origins.PCS).map(b -> Origins.resolve(b, path));
        }

        @Override
        public List<String> headers() {
            return headers;
        }

        @Override
        public Checked<T> open(Document document) {
            return open.apply(document);
        }
    }

    private static SignedPart signed(Document d, String member, String header) {
        String body = new String(d.body(), StandardCharsets.UTF_8);
        String from = member + " response";
        return new SignedPart(Collateral.rawMember(body, member, from), Collateral.signature(body, from), chain(d, header));
    }

    private static String chain(Document d, String header) {
        String encoded = d.header(header).orElseThrow(() -> AttestationException.invalid(header, "missing from the response"));
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }

    /** A CRL body: DER, PEM, or the hex of DER that a PCCS sends for the root CA CRL. */
    static byte[] crlBytes(byte[] body) {
        if (body.length > 0 && body[0] == 0x30) {
            return body;
        }
        String text = new String(body, StandardCharsets.US_ASCII).strip();
        if (text.startsWith("-----BEGIN")) {
            return Pem.decode("X509 CRL", text);
        }
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("CRL", "neither DER, PEM nor hex");
        }
    }

    private static Instant nextUpdate(X509CRL crl) {
        if (crl.getNextUpdate() == null) {
            throw AttestationException.invalid("CRL", "has no nextUpdate, so its freshness cannot be judged");
        }
        return crl.getNextUpdate().toInstant();
    }

    private static Instant earliest(Instant next, CertChain chain) {
        Instant notAfter = chain.certs().stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElse(next);
        return notAfter.isBefore(next) ? notAfter : next;
    }
}
