// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Crafted keys and tokens are typed refusals, never an unchecked exception. */
class MalformedCcaInputTest {
    private static final String DIR = "arm-cca/rust-ccatoken/";

    /** COSE_Key {1: 2 (EC2), -1: 2 (P-384), -2: x, -3: y}, encoded by hand so that the lengths can be wrong. */
    private static byte[] coseKey(int xLength, int yLength) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {(byte) 0xa4, 0x01, 0x02, 0x20, 0x02, 0x21, 0x58, (byte) xLength});
        o.writeBytes(filled(xLength));
        o.writeBytes(new byte[] {0x22, 0x58, (byte) yLength});
        o.writeBytes(filled(yLength));
        return o.toByteArray();
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 0x11);
        return b;
    }

    @Test
    void aRakWithA49ByteCoordinateIsATypedError() {
        assertThatThrownBy(() -> CcaVerifier.rak(Bytes.of(coseKey(49, 48)))).isInstanceOf(AttestationException.class)
                .hasMessageContaining("49 and 48 bytes").hasMessageContaining("48 each");
        assertThatThrownBy(() -> CcaVerifier.rak(Bytes.of(coseKey(48, 48)))).isInstanceOf(AttestationException.class)
                .hasMessageContaining("not on secp384r1");
        assertThatThrownBy(() -> CcaVerifier.rak(Bytes.of(new byte[] {(byte) 0xa1, 0x01}))).isInstanceOf(AttestationException.class);
    }

    @Test
    void anOverLongCpakCoordinateIsATypedError() {
        String x = Base64.getUrlEncoder().withoutPadding().encodeToString(filled(49));
        String y = Base64.getUrlEncoder().withoutPadding().encodeToString(filled(48));
        byte[] jwk = ("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Cpak.fromJson(jwk)).isInstanceOf(AttestationException.class)
                .satisfies(e -> assertThat(((AttestationException) e).reason()).isEqualTo(Reason.INVALID_ARGUMENT));
    }

    @Test
    void bytesAfterTheTokenAreRefused() {
        byte[] token = Vectors.read(DIR + "cca-token-01.cbor");
        byte[] trailing = java.util.Arrays.copyOf(token, token.length + 1);
        CcaVerifier.Result r = CcaVerifier.verify(trailing, Cpak.fromJson(Vectors.read(DIR + "cpak.json")));
        assertThat(r.result().failures()).extracting(Check::name).containsExactly("token.format");
        assertThat(CcaVerifier.verify(token, Cpak.fromJson(Vectors.read(DIR + "cpak.json"))).result().trusted()).isTrue();
    }
}
