// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.broker.policy.ResourcePolicy;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.broker.store.Resources;
import dev.guestattest.broker.wire.Jwe;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.jca.GuestAttestProvider;
import dev.guestattest.keys.jca.KeyringParameter;
import dev.guestattest.keys.ring.JavaKeyring;
import dev.guestattest.keys.ring.KeyPermission;
import dev.guestattest.verify.ar4si.Tier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's parts on their own: sealing at rest, the TEE key rules, the resource policy, paths, and landing a secret in the Java keyring. */
class PiecesTest {
    @TempDir
    Path tmp;

    @Test
    void sealedSecretsOpenOnlyWithTheirKekAndOnTheirPath() throws Exception {
        Kek kek = Kek.loadOrCreate(tmp.resolve("kek"));
        assertThat(Files.getPosixFilePermissions(tmp.resolve("kek"))).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        byte[] secret = "s3cret".getBytes(StandardCharsets.UTF_8);
        Kek.Sealed s = kek.seal("a/b/c", secret);
        assertThat(kek.open("a/b/c", s)).isEqualTo(secret);
        assertThat(s.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> kek.open("a/b/d", s)).hasMessageContaining("does not open");
        byte[] bent = s.ciphertext().clone();
        bent[bent.length - 1] ^= 1;
        assertThatThrownBy(() -> kek.open("a/b/c", new Kek.Sealed(s.wrappedKey(), bent))).hasMessageContaining("does not open");
        Files.write(tmp.resolve("other"), new byte[32]);
        assertThatThrownBy(() -> Kek.load(tmp.resolve("other")).open("a/b/c", s)).hasMessageContaining("does not open");
        Files.write(tmp.resolve("short"), new byte[7]);
        assertThatThrownBy(() -> Kek.load(tmp.resolve("short"))).hasMessageContaining("KEK file");
        assertThat(Kek.loadOrCreate(tmp.resolve("kek")).open("a/b/c", s)).as("the same file, loaded again").isEqualTo(secret);
    }

    @Test
    void theStoreDirectoryAndItsKekAreTheOwnersAloneFromTheStart() throws Exception {
        // the umask here lets others into a directory made plainly: the old code's store was 0755
        Path control = Files.createDirectory(tmp.resolve("control"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getPosixFilePermissions(control).contains(
                java.nio.file.attribute.PosixFilePermission.OTHERS_READ), "a umask that already shuts others out proves nothing");
        Path store = tmp.resolve("state/broker");
        Kek.loadOrCreate(store.resolve("kek")); // the CLI makes the KEK first, and with it the store's directory
        try (var db = dev.guestattest.broker.store.Database.open(store.toString())) {
            assertThat(db.dialect()).isEqualTo(dev.guestattest.broker.store.Database.Dialect.H2);
        }
        var ownerOnly = java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        assertThat(Files.getPosixFilePermissions(tmp.resolve("state"))).isEqualTo(ownerOnly);
        assertThat(Files.getPosixFilePermissions(store)).isEqualTo(ownerOnly);
        assertThat(Files.getPosixFilePermissions(store.resolve("kek"))).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // a directory of its own for the embedded database, when it is opened first
        Path alone = tmp.resolve("alone/store");
        dev.guestattest.broker.store.Database.open(alone.toString()).close();
        assertThat(Files.getPosixFilePermissions(alone)).isEqualTo(ownerOnly);
        try (var left = Files.list(store)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary KEK file is left behind").noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void brokersRacingToCreateTheKekAllGetTheSameWholeOne() throws Exception {
        // the old code created the file, then wrote it: a racer could read it empty in between
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                Path file = tmp.resolve("race" + round + "/kek");
                var go = new java.util.concurrent.CountDownLatch(1);
                java.util.List<java.util.concurrent.Future<Kek>> keks = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    keks.add(pool.submit(() -> {
                        go.await();
                        return Kek.loadOrCreate(file);
                    }));
                }
                go.countDown();
                Kek.Sealed sealed = keks.get(0).get(10, java.util.concurrent.TimeUnit.SECONDS).seal("a/b/c", new byte[] {1, 2, 3});
                for (var k : keks) {
                    assertThat(k.get(10, java.util.concurrent.TimeUnit.SECONDS).open("a/b/c", sealed)).containsExactly(1, 2, 3);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theAuditLogKeepsWhatIsWithinItsRetention() {
        try (var db = dev.guestattest.broker.store.Database.open(tmp.resolve("store").toString())) {
            var audit = new dev.guestattest.broker.store.Audit(db);
            for (long at : new long[] {1_000, 2_000, 3_000}) {
                audit.record(new dev.guestattest.broker.store.Audit.Entry(at, "auth", "ok", java.util.Optional.empty(), java.util.Optional.empty(),
                        java.util.Optional.empty(), "127.0.0.1", "t" + at));
            }
            assertThat(audit.purgeBefore(2_500)).isEqualTo(2);
            assertThat(audit.recent(10)).extracting(dev.guestattest.broker.store.Audit.Entry::detail).containsExactly("t3000");
        }
    }

    @Test
    void resourcePathsAreThreeSafeParts() {
        assertThat(Resources.path("default/key/disk")).isEqualTo("default/key/disk");
        assertThatThrownBy(() -> Resources.path("a/b")).hasMessageContaining("REPOSITORY/TYPE/TAG");
        assertThatThrownBy(() -> Resources.path("../etc/passwd")).hasMessageContaining("resource repository");
        assertThatThrownBy(() -> Resources.path("a/b/c d")).hasMessageContaining("resource tag");
        assertThatThrownBy(() -> Resources.path("a/" + "x".repeat(129) + "/c")).hasMessageContaining("1-128");
    }

    private static JsonNode json(String s) throws Exception {
        return BrokerFixture.JSON.readTree(s);
    }

    @Test
    void teeKeysAreEcOrStrongRsaPublicKeysAndWrapsOpenOnlyWithTheirPrivateHalf() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var kp = rsa.generateKeyPair();
        com.nimbusds.jose.jwk.RSAKey rsaJwk = new com.nimbusds.jose.jwk.RSAKey.Builder((java.security.interfaces.RSAPublicKey) kp.getPublic()).build();
        TeeKey k = TeeKey.parse(json(rsaJwk.toJSONString()));
        assertThat(k.algorithm().getName()).isEqualTo("RSA-OAEP-256");
        var jwe = com.nimbusds.jose.JWEObject.parse(Jwe.compact(k.wrap("rsa secret".getBytes(StandardCharsets.UTF_8))));
        jwe.decrypt(new com.nimbusds.jose.crypto.RSADecrypter(kp.getPrivate()));
        assertThat(jwe.getPayload().toString()).isEqualTo("rsa secret");
        assertThatThrownBy(() -> TeeKey.parse(json(rsaJwk.toJSONString().replace("}", ",\"alg\":\"RSA1_5\"}")))).hasMessageContaining("RSA1_5 is refused");
        rsa.initialize(1024);
        var weak = new com.nimbusds.jose.jwk.RSAKey.Builder((java.security.interfaces.RSAPublicKey) rsa.generateKeyPair().getPublic()).build();
        assertThatThrownBy(() -> TeeKey.parse(json(weak.toJSONString()))).hasMessageContaining("at least 2048");
        // the attack: an attested guest names e = 1, so the wrapped key is readable by anyone who sees the response
        java.math.BigInteger n = ((java.security.interfaces.RSAPublicKey) kp.getPublic()).getModulus();
        for (long e : new long[] {1, 3, 65536}) {
            var tiny = new com.nimbusds.jose.jwk.RSAKey.Builder(com.nimbusds.jose.util.Base64URL.encode(n),
                    com.nimbusds.jose.util.Base64URL.encode(java.math.BigInteger.valueOf(e))).build();
            assertThatThrownBy(() -> TeeKey.parse(json(tiny.toJSONString()))).as("e = %d", e).hasMessageContaining("tee-pubkey.e");
        }
        var withPrivate = new com.nimbusds.jose.jwk.RSAKey.Builder((java.security.interfaces.RSAPublicKey) kp.getPublic())
                .privateKey(kp.getPrivate()).build();
        assertThatThrownBy(() -> TeeKey.parse(json(withPrivate.toJSONString()))).hasMessageContaining("private key parts");
        assertThatThrownBy(() -> TeeKey.parse(json("{\"kty\": \"OKP\", \"crv\": \"X25519\", \"x\": \"" + "A".repeat(43) + "\"}"))).hasMessageContaining("not EC or RSA");
        assertThatThrownBy(() -> TeeKey.parse(json("[1]"))).hasMessageContaining("must be a JWK object");
        assertThatThrownBy(() -> Jwe.compact("{\"protected\": \"x\"}")).hasMessageContaining("JWE encrypted_key");
    }

    @Test
    void theResourcePolicyMatchesPathsTeesAndTheWorstStatusAllowed() {
        ResourcePolicy p = ResourcePolicy.parse("""
                rules:
                  - {path: "prod/*/*", tees: [tdx]}
                  - {path: "test/key/*", status: warning}
                  - {path: "db/secret/*", initial_measurement: ["aabb", "ccdd"]}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(p.allows("prod/disk/root", r("tdx", Tier.AFFIRMING))).isTrue();
        assertThat(p.allows("prod/disk/root", r("snp", Tier.AFFIRMING))).isFalse();
        assertThat(p.allows("prod/disk/root", r("tdx", Tier.WARNING))).isFalse();
        assertThat(p.allows("test/key/a", r("cca", Tier.WARNING))).isTrue();
        assertThat(p.allows("test/key/a", r("cca", Tier.CONTRAINDICATED))).isFalse();
        assertThat(p.allows("test/key/a", r("cca", Tier.NONE))).isFalse();
        assertThat(p.allows("other/key/a", r("tdx", Tier.AFFIRMING))).isFalse();
        // a rule naming workloads: only those initial measurements, and evidence without one never
        var only = new ResourcePolicy.Result("tdx", Tier.AFFIRMING, java.util.Optional.of(dev.guestattest.core.codec.Bytes.fromHex("m", "ccdd")),
                java.util.Optional.empty());
        assertThat(p.allows("db/secret/pw", only)).isTrue();
        assertThat(p.allows("db/secret/pw", new ResourcePolicy.Result("tdx", Tier.AFFIRMING,
                java.util.Optional.of(dev.guestattest.core.codec.Bytes.fromHex("m", "eeff")), java.util.Optional.empty()))).isFalse();
        assertThat(p.allows("db/secret/pw", r("tpm", Tier.AFFIRMING))).isFalse();
        assertThatThrownBy(() -> ResourcePolicy.parse("rules:\n  - {path: a/b/c, initial_measurement: [zz]}\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("rules[0].initial_measurement");
        assertThat(ResourcePolicy.DEFAULT.allows("any/thing/here", r("snp", Tier.AFFIRMING))).isTrue();
        assertThat(ResourcePolicy.DEFAULT.allows("any/thing/here", r("snp", Tier.WARNING))).isFalse();
        assertThatThrownBy(() -> ResourcePolicy.parse("rules: []".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("lists no rule");
        assertThatThrownBy(() -> ResourcePolicy.parse("rules:\n  - {path: a/b}\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("rules[0].path");
        assertThatThrownBy(() -> ResourcePolicy.parse("rules:\n  - {path: a/b/c, status: maybe}\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("rules[0].status");
        assertThatThrownBy(() -> ResourcePolicy.parse("rules:\n  - {path: a/b/c, tee: [tdx]}\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("line 2").hasMessageContaining("unknown field 'rules[0].tee'");
    }

    private static ResourcePolicy.Result r(String tee, Tier status) {
        return new ResourcePolicy.Result(tee, status, java.util.Optional.empty(), java.util.Optional.empty());
    }

    @Test
    void aReleasedSecretLandsInTheJavaKeyringNonExtractable() throws Exception {
        try (JavaKeyring keys = JavaKeyring.builder().build()) {
            var ring = keys.newKeyring("guest");
            Secret released = Secret.copyOf("from the broker".getBytes(StandardCharsets.UTF_8));
            ring.add("logon", "disk:root", released, EnumSet.allOf(KeyPermission.class));
            released.destroy();
            KeyStore ks = KeyStore.getInstance(GuestAttestProvider.KEYSTORE_TYPE, new GuestAttestProvider());
            ks.load(new KeyringParameter(ring));
            var key = ks.getKey("logon:disk:root", null);
            assertThat(key).isNotNull();
            assertThat(key.getEncoded()).as("a logon key is not extractable").isNull();
        }
    }
}
