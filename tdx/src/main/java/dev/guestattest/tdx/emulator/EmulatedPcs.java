// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.collateral.ServedDocument;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.tdx.verify.Collateral;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Intel's PCS (API v4, formats.md §1.7) for the emulated TDX platform: TCB Info by FMSPC, QE
 * Identity, the PCK and root CA CRLs, with the issuer-chain headers Intel sends. The collateral is
 * issued once, so every fetch returns the same signed bytes, as Intel's does between updates.
 */
public final class EmulatedPcs implements EmulatedService {
    static final String TCB = "/tdx/certification/v4/tcb";
    static final String QE_IDENTITY = "/tdx/certification/v4/qe/identity";
    static final String PCK_CRL = "/sgx/certification/v4/pckcrl";
    static final String ROOT_CRL = "/sgx/certification/v4/rootcacrl";
    /** Where Intel publishes the root CA CRL (certificates.trustedservices.intel.com), served here beside the API. */
    static final String ROOT_CRL_FILE = "/IntelSGXRootCA.der";
    private static final String JSON = "application/json";

    private final Collateral collateral;
    private final String fmspc;

    public EmulatedPcs(EmulatedPlatform platform, Instant now, Duration validity, SecureRandom random) {
        this(platform, EmulatedCollateral.issue(platform, now, validity, false, random));
    }

    /** Serving {@code collateral} as issued for {@code platform} (e.g. with its PCK revoked, for testing relying parties). */
    public EmulatedPcs(EmulatedPlatform platform, Collateral collateral) {
        this.collateral = collateral;
        this.fmspc = platform.tcb().fmspc().hex().toUpperCase(Locale.ROOT);
    }

    /** The collateral served, as issued (what a client that fetches it all should end up with). */
    public Collateral collateral() {
        return collateral;
    }

    @Override
    public String description() {
        return "Intel PCS v4 for the emulated TDX platform (FMSPC " + fmspc + "): /tdx/certification/v4/, /sgx/certification/v4/, "
                + ROOT_CRL_FILE;
    }

    @Override
    public Optional<ServedDocument> get(String path, Map<String, String> query) {
        return Optional.ofNullable(switch (path) {
            case TCB -> tcbInfo(query.get("fmspc"));
            case QE_IDENTITY -> signed("enclaveIdentity", collateral.qeIdentity(), collateral.qeIdentitySignature().hex(),
                    "SGX-Enclave-Identity-Issuer-Chain", collateral.qeIdentityIssuerChain());
            case PCK_CRL -> pckCrl(query.get("ca"), query.get("encoding"));
            case ROOT_CRL, ROOT_CRL_FILE -> ServedDocument.ok(Map.of("Content-Type", "application/pkix-crl"), collateral.rootCaCrl().toArray());
            default -> null; // not a PCS path
        });
    }

    private ServedDocument tcbInfo(String requested) {
        if (requested == null || requested.isEmpty()) {
            return ServedDocument.badRequest("the fmspc parameter is required");
        }
        if (!requested.equalsIgnoreCase(fmspc)) {
            return ServedDocument.notFound("no TCB Info for FMSPC " + requested + "; the emulated platform's FMSPC is " + fmspc);
        }
        return signed("tcbInfo", collateral.tcbInfo(), collateral.tcbInfoSignature().hex(), "TCB-Info-Issuer-Chain",
                collateral.tcbInfoIssuerChain());
    }

    private ServedDocument pckCrl(String ca, String encoding) {
        if ("processor".equals(ca)) {
            return ServedDocument.notFound("no processor CA CRL: the emulated platform's PCK is issued by the Platform CA");
        }
        if (!"platform".equals(ca)) {
            return ServedDocument.badRequest("the ca parameter must be platform or processor");
        }
        if (encoding != null && !encoding.equals("der")) {
            return ServedDocument.badRequest("the encoding parameter, when given, must be der");
        }
        byte[] der = collateral.pckCrl().toArray();
        Map<String, String> headers = Map.of("SGX-PCK-CRL-Issuer-Chain", headerChain(collateral.pckCrlIssuerChain()),
                "Content-Type", encoding == null ? "application/x-pem-file" : "application/pkix-crl");
        return ServedDocument.ok(headers, encoding == null ? Pem.encode("X509 CRL", der).getBytes(StandardCharsets.US_ASCII) : der);
    }

    /** Intel's layout: the signed object's exact text as a member, the signature (r||s) in hex beside it. */
    private static ServedDocument signed(String member, String signedJson, String signatureHex, String chainHeader, String chain) {
        String body = "{\"" + member + "\":" + signedJson + ",\"signature\":\"" + signatureHex + "\"}";
        return ServedDocument.ok(Map.of("Content-Type", JSON, chainHeader, headerChain(chain)), body.getBytes(StandardCharsets.UTF_8));
    }

    /** A PEM chain as Intel puts it into a header: URL-encoded, spaces as %20. */
    private static String headerChain(String pem) {
        return URLEncoder.encode(pem, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
