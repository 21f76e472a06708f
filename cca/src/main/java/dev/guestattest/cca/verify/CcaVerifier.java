// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.cca.abi.CcaToken;
import dev.guestattest.core.cose.CoseSign1;
import dev.guestattest.cca.abi.PlatformClaims;
import dev.guestattest.cca.abi.RealmClaims;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.crypto.EcdsaKey;
import dev.guestattest.core.cose.Cbor;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Verifies a CCA token (formats.md §3.5): the realm token under the RAK it carries, the platform
 * challenge = H(RAK claim bytes) binding that RAK to the platform, the platform token under a
 * trusted CPAK (chosen by instance and implementation ID when the anchor names them), and the
 * realm challenge is the report data of the common claims, judged by the appraiser.
 */
public final class CcaVerifier {
    private CcaVerifier() {
    }

    /** The verdict with the decoded claims, when the tokens decoded. */
    public record Result(VerificationResult result, Optional<RealmClaims> realm, Optional<PlatformClaims> platform) {
        public boolean trusted() {
            return result.trusted();
        }

        /**
         * The realm's common claims, with the platform's instance ID (the chip) as the platform
         * identity and its security lifecycle as debug: outside the secured range (0x3000-0x30FF) the
         * platform may be in debug or not yet provisioned, and the realm's memory is not its own.
         */
        public Optional<dev.guestattest.core.verify.CommonClaims> common() {
            return realm.map(r -> platform.map(p -> r.common().withPlatformId(p.instanceId()).withDebug(!p.secured())).orElse(r.common()));
        }
    }

    public static Result verify(byte[] token, List<Cpak> anchors) {
        List<Check> checks = new ArrayList<>();
        CoseSign1 realmCose;
        CoseSign1 platformCose;
        RealmClaims realm;
        PlatformClaims platform;
        try {
            CcaToken t = CcaToken.parse(token);
            realmCose = CoseSign1.parse("realm token", t.realmToken().toArray());
            platformCose = CoseSign1.parse("platform token", t.platformToken().toArray());
            realm = RealmClaims.parse(realmCose.payload());
            platform = PlatformClaims.parse(platformCose.payload());
            checks.add(Check.pass("token.format", "CCA token: platform and realm COSE_Sign1"));
        } catch (AttestationException e) {
            checks.add(Check.fail("token.format", e));
            return new Result(new VerificationResult(checks), Optional.empty(), Optional.empty());
        }
        Optional<PublicKey> rak = Optional.empty();
        try {
            rak = Optional.of(rak(realm.rak()));
            checks.add(verifySign1("realm.signature", realmCose, rak.get(), "the RAK"));
        } catch (AttestationException e) {
            checks.add(Check.fail("realm.signature", "cannot be checked: " + e.getMessage()));
        }
        checks.add(binding(realm, platform));
        checks.add(platformSignature(platformCose, platform, anchors));
        return new Result(new VerificationResult(checks), Optional.of(realm), Optional.of(platform));
    }

    private static Check binding(RealmClaims realm, PlatformClaims platform) {
        HashAlgorithm h;
        try {
            h = HashAlgorithm.byLabel(realm.rakHashAlgorithm().replace("-", ""));
        } catch (AttestationException e) {
            return Check.fail("realm.binding", "unknown RAK hash algorithm '" + realm.rakHashAlgorithm() + "'");
        }
        return Arrays.equals(h.hash(realm.rak().toArray()), platform.challenge().toArray())
                ? Check.pass("realm.binding", "platform challenge = " + realm.rakHashAlgorithm() + "(RAK): the platform vouches for this RAK")
                : Check.fail("realm.binding", "the platform challenge is not " + realm.rakHashAlgorithm() + " of the RAK claim");
    }

    private static Check platformSignature(CoseSign1 cose, PlatformClaims platform, List<Cpak> anchors) {
        List<Cpak> candidates = anchors.stream().filter(a -> a.instanceId().map(platform.instanceId()::equals).orElse(true)
                && a.implementationId().map(platform.implementationId()::equals).orElse(true)).toList();
        if (candidates.isEmpty()) {
            return Check.fail("platform.signature", "no trusted CPAK for instance " + platform.instanceId().hex());
        }
        Check last = null;
        for (Cpak c : candidates) {
            last = verifySign1("platform.signature", cose, c.key(), "a trusted CPAK");
            if (last.passed()) {
                return last;
            }
        }
        return last;
    }

    private static Check verifySign1(String name, CoseSign1 cose, PublicKey key, String by) {
        HashAlgorithm h = switch (cose.alg()) {
            case CoseSign1.ES256 -> HashAlgorithm.SHA256;
            case CoseSign1.ES384 -> HashAlgorithm.SHA384;
            default -> null;
        };
        if (h == null) {
            return Check.fail(name, "COSE algorithm " + cose.alg() + " is neither ES256 nor ES384");
        }
        byte[] sig = cose.signature().toArray();
        String alg = h == HashAlgorithm.SHA384 ? "ES384" : "ES256";
        EcdsaKey k;
        try {
            k = EcdsaKey.of(name + " key", key);
        } catch (AttestationException e) {
            return Check.fail(name, "does not verify with " + by + " (" + e.getMessage() + ")");
        }
        if (sig.length != 2 * k.curve().scalarSize()) {
            return Check.fail(name, "signature is " + sig.length + " bytes; " + alg + " with this key takes " + 2 * k.curve().scalarSize()
                    + " (is the key on the right curve?)");
        }
        return k.verify(h, cose.toBeSigned(), sig) ? Check.pass(name, alg + ", by " + by) : Check.fail(name, "does not verify with " + by);
    }

    /** The RAK: a raw P-384 point (legacy) or a COSE_Key EC2 P-384 (newer tokens). */
    static PublicKey rak(Bytes claim) {
        byte[] b = claim.toArray();
        if (b.length == 97 && b[0] == 4) {
            return Cpak.ec("secp384r1", Arrays.copyOfRange(b, 1, 49), Arrays.copyOfRange(b, 49, 97));
        }
        JsonNode k = Cbor.tree("realm public key (44237)", b);
        if (k.path("1").asInt() == 2 && k.path("-1").asInt() == 2) {
            return Cpak.ec("secp384r1", Cbor.bytes("realm public key x (-2)", k.get("-2")).toArray(),
                    Cbor.bytes("realm public key y (-3)", k.get("-3")).toArray());
        }
        throw AttestationException.invalid("realm public key (44237)", "is neither a P-384 point nor an EC2 P-384 COSE_Key");
    }
}
