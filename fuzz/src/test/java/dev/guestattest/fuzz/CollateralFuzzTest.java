// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralItem;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.Document;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.snp.verify.KdsCollateral;
import dev.guestattest.snp.verify.Product;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.PcsCollateral;
import dev.guestattest.tdx.verify.PckCa;
import dev.guestattest.tdx.verify.TrustAnchors;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What collateral services send and caches hold: a cached document, and every PCS and KDS
 * response as the items check it before anything is kept (with the real issuer chains as headers,
 * so the checks behind the parsers are reached).
 */
class CollateralFuzzTest {
    private static final Collateral REAL = Collateral.fromDcapQvlJson(Campaign.TDX_COLLATERAL.toArray());
    private static final PcsCollateral PCS = new PcsCollateral(CollateralService.offline(), TrustAnchors.intel());
    private static final List<CollateralItem<?>> PCS_ITEMS = List.of(PCS.tcbInfo(Bytes.fromHex("fmspc", "b0c06f000000")), PCS.qeIdentity(),
            PCS.pckCrl(PckCa.PLATFORM), PCS.rootCrl());
    private static final KdsCollateral KDS = new KdsCollateral(AmdRoots.amd());
    private static final List<CollateralItem<?>> KDS_ITEMS = List.of(KDS.vcek(Product.MILAN, Bytes.zeros(64), new TcbVersion(0)),
            KDS.crl(Product.MILAN, false), KDS.certChain(Product.GENOA, true));
    private static final Map<String, String> HEADERS = Map.of("TCB-Info-Issuer-Chain", encoded(REAL.tcbInfoIssuerChain()),
            "SGX-Enclave-Identity-Issuer-Chain", encoded(REAL.qeIdentityIssuerChain()), "SGX-PCK-CRL-Issuer-Chain",
            encoded(REAL.pckCrlIssuerChain()));

    private static String encoded(String pem) {
        return URLEncoder.encode(pem, StandardCharsets.UTF_8);
    }

    private static void open(List<CollateralItem<?>> items, byte[] body) {
        for (CollateralItem<?> item : items) {
            Untrusted.parse(() -> item.open(new Document(item.key(), "fuzz", Instant.EPOCH, Instant.EPOCH, HEADERS, body)));
        }
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void cachedDocument(byte[] data) {
        Untrusted.parse(() -> Document.fromJson("fuzz", data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void pcsResponse(byte[] data) {
        open(PCS_ITEMS, data);
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void kdsResponse(byte[] data) {
        open(KDS_ITEMS, data);
    }
}
