// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.jca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.keys.Attester;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.ring.JavaKeyring;
import dev.guestattest.keys.ring.KeyPermission;
import dev.guestattest.keys.ring.KeyTypes;
import dev.guestattest.keys.ring.Keyring;
import dev.guestattest.tdx.abi.Quote;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringKeyStoreTest {
    @TempDir
    Path state;
    private JavaKeyring keys;
    private Keyring ring;
    private KeyStore ks;

    @BeforeEach
    void open() throws Exception {
        keys = JavaKeyring.builder()
                .type(KeyTypes.guestAttest(Attester.provider(Optional.of("tdx/emulated"), ProviderContext.defaults().withStateDir(state))))
                .build();
        ring = keys.newKeyring("app");
        ks = KeyStore.getInstance(GuestAttestProvider.KEYSTORE_TYPE, new GuestAttestProvider());
        ks.load(new KeyringParameter(ring));
    }

    @AfterEach
    void close() {
        keys.close();
    }

    @Test
    void evidenceIsARawSecretKeyEntryHoldingTheQuote() throws Exception {
        ring.request("guest_attest", "guest_attest:0:7", "bm9uY2U=");
        assertThat(Collections.list(ks.aliases())).containsExactly("guest_attest:guest_attest:0:7");
        assertThat(ks.size()).isEqualTo(1);
        assertThat(ks.isKeyEntry("guest_attest:guest_attest:0:7")).isTrue();
        assertThat(ks.entryInstanceOf("guest_attest:guest_attest:0:7", KeyStore.SecretKeyEntry.class)).isTrue();
        SecretKey k = (SecretKey) ks.getKey("guest_attest:guest_attest:0:7", null);
        assertThat(k.getAlgorithm()).isEqualTo("guest_attest");
        assertThat(k.getFormat()).isEqualTo("RAW");
        Quote q = Quote.parse(k.getEncoded());
        assertThat(new String(q.body().reportData().toArray(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("nonce");
        assertThat(ks.getCreationDate("guest_attest:guest_attest:0:7")).isNotNull();
        assertThat(ks.getCertificate("guest_attest:guest_attest:0:7")).isNull();
    }

    @Test
    void logonKeysAreNonExtractable() throws Exception {
        ring.add("logon", "disk:root", Secret.copyOf(new byte[32]), EnumSet.allOf(KeyPermission.class));
        SecretKey k = (SecretKey) ks.getKey("logon:disk:root", null);
        assertThat(k.getAlgorithm()).isEqualTo("logon");
        assertThat(k.getEncoded()).isNull();
        assertThat(k.getFormat()).isNull();
        assertThat(k.toString()).startsWith("key ").endsWith(" logon:disk:root");
        assertThatThrownBy(() -> new java.io.ObjectOutputStream(new ByteArrayOutputStream()).writeObject(k))
                .isInstanceOf(java.io.NotSerializableException.class);
    }

    @Test
    void secretKeysSetThroughTheKeyStoreLandInTheKeyring() throws Exception {
        ks.setKeyEntry("logon:disk:data", new SecretKeySpec(new byte[] {9, 9, 9}, "AES"), null, null);
        assertThat(ring.find("logon", "disk:data")).isPresent();
        assertThat(((SecretKey) ks.getKey("logon:disk:data", null)).getEncoded()).isNull();
        ks.setEntry("user:note", new KeyStore.SecretKeyEntry(new SecretKeySpec(new byte[] {1}, "RAW")), null);
        assertThat(((SecretKey) ks.getKey("user:note", null)).getEncoded()).containsExactly(1);
        ks.deleteEntry("user:note");
        assertThat(ks.containsAlias("user:note")).isFalse();
        assertThat(ring.find("user", "note")).isEmpty();
    }

    @Test
    void whatAKeyringCannotHoldIsRefusedWithAReason() throws Exception {
        assertThatThrownBy(() -> ks.setKeyEntry("nocolon", new SecretKeySpec(new byte[] {1}, "AES"), null, null))
                .isInstanceOf(KeyStoreException.class).hasMessageContaining("is not <type>:<description>");
        assertThatThrownBy(() -> ks.setKeyEntry("logon:bad", new byte[] {1}, null)).isInstanceOf(KeyStoreException.class);
        assertThatThrownBy(() -> ks.setCertificateEntry("x:y", null)).isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("keys only");
        assertThatThrownBy(() -> ks.setKeyEntry("nosuch:x", new SecretKeySpec(new byte[] {1}, "AES"), null, null))
                .hasMessageContaining("key type: 'nosuch' is not registered");
        assertThat(ks.getKey("user:absent", null)).isNull();
        assertThat(ks.containsAlias("garbage")).isFalse();
    }

    @Test
    void theStoreIsLiveAndHasNoFileForm() throws Exception {
        ks.store(null); // nothing to write: every change is already in the keyring
        assertThatThrownBy(() -> ks.store(new ByteArrayOutputStream(), null)).isInstanceOf(IOException.class)
                .hasMessageContaining("is live");
        KeyStore fresh = KeyStore.getInstance("GuestAttest", new GuestAttestProvider());
        assertThatThrownBy(() -> fresh.load(null, null)).isInstanceOf(IOException.class).hasMessageContaining("KeyringParameter");
        assertThatThrownBy(() -> fresh.size()).isInstanceOf(KeyStoreException.class); // not loaded
    }
}
