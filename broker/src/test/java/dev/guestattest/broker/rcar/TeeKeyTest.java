// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.rcar;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import dev.guestattest.broker.client.EcdhEs;
import dev.guestattest.core.AttestationException;
import org.junit.jupiter.api.Test;

/** A TEE key off its curve is refused as the broker parses it (moved from EcdhEsTest when EcdhEs went to broker-client). */
class TeeKeyTest {
    @Test
    void aRecipientKeyOffTheCurveIsRefused() throws Exception {
        ECKey good = EcdhEs.KeyPair.generate(Curve.P_256).publicJwk();
        byte[] x = good.getX().decode();
        x[0] ^= 1;
        String bad = good.toJSONString().replace(good.getX().toString(), Base64URL.encode(x).toString());
        assertThatThrownBy(() -> TeeKey.parse(bad)).isInstanceOf(AttestationException.class).hasMessageContaining("not on the P-256 curve");
    }
}
