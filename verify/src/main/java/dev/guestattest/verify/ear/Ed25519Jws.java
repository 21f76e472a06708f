// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.ear;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Set;

/**
 * EdDSA (Ed25519) JWS through the JDK's own Ed25519 (Java 15+): nimbus's Ed25519 signer needs
 * Google Tink, a large dependency for one algorithm the JDK already has.
 */
public final class Ed25519Jws implements JWSSigner, JWSVerifier {
    private final PrivateKey signing;
    private final PublicKey verifying;
    private final JCAContext jca = new JCAContext();

    private Ed25519Jws(PrivateKey signing, PublicKey verifying) {
        this.signing = signing;
        this.verifying = verifying;
    }

    public static Ed25519Jws signer(PrivateKey key) {
        return new Ed25519Jws(key, null);
    }

    public static Ed25519Jws verifier(PublicKey key) {
        return new Ed25519Jws(null, key);
    }

    public static boolean isEd25519(java.security.Key key) {
        return key instanceof java.security.interfaces.EdECKey ed && ed.getParams().getName().equals("Ed25519");
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(signing);
            s.update(signingInput);
            return Base64URL.encode(s.sign());
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signedContent, Base64URL signature) throws JOSEException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(verifying);
            s.update(signedContent);
            return s.verify(signature.decode());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
