// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.jca;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.ring.Key;
import dev.guestattest.keys.ring.KeyPermission;
import dev.guestattest.keys.ring.KeyState;
import dev.guestattest.keys.ring.Keyring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.KeyStoreSpi;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * The {@code GuestAttest} key store: a live view of one keyring. Aliases are
 * {@code <type>:<description>} (e.g. {@code guest_attest:guest_attest:0:7}, {@code logon:disk:root})
 * because the kernel's identity of a key is the pair; entries are secret-key entries only.
 * Changes made through the key store go straight to the keyring; {@code store} writes nothing.
 */
public final class KeyringKeyStore extends KeyStoreSpi {
    private Keyring ring;

    @Override
    public void engineLoad(KeyStore.LoadStoreParameter param) throws IOException {
        if (!(param instanceof KeyringParameter p)) {
            throw new IllegalArgumentException("a GuestAttest key store loads from a KeyringParameter, got "
                    + (param == null ? "null" : param.getClass().getName()));
        }
        ring = p.keyring();
    }

    @Override
    public void engineLoad(InputStream stream, char[] password) throws IOException {
        throw new IOException("a GuestAttest key store is a view of a keyring, not a file: load it with new KeyringParameter(keyring)");
    }

    @Override
    public void engineStore(OutputStream stream, char[] password) throws IOException {
        throw new IOException("a GuestAttest key store is live; every change is already in its keyring and there is nothing to write");
    }

    @Override
    public void engineStore(KeyStore.LoadStoreParameter param) {
        // live: every change already reached the keyring
    }

    @Override
    public java.security.Key engineGetKey(String alias, char[] password) throws UnrecoverableKeyException {
        Optional<Key> key = find(alias);
        if (key.isEmpty()) {
            return null;
        }
        if (key.get().readable()) {
            try {
                key.get().read(); // fail now, not at getEncoded(), if the key became unusable
            } catch (AttestationException e) {
                UnrecoverableKeyException u = new UnrecoverableKeyException(e.getMessage());
                u.initCause(e);
                throw u;
            }
        }
        return new KeyringSecretKey(key.get());
    }

    /** Secret-key entries need no password here: the keyring's permissions guard them. */
    @Override
    public KeyStore.Entry engineGetEntry(String alias, KeyStore.ProtectionParameter protection) throws UnrecoverableKeyException {
        java.security.Key key = engineGetKey(alias, null);
        return key == null ? null : new KeyStore.SecretKeyEntry((SecretKey) key);
    }

    @Override
    public void engineSetEntry(String alias, KeyStore.Entry entry, KeyStore.ProtectionParameter protection) throws KeyStoreException {
        if (!(entry instanceof KeyStore.SecretKeyEntry s)) {
            throw new KeyStoreException("a GuestAttest key store holds secret-key entries only, got " + entry.getClass().getName());
        }
        engineSetKeyEntry(alias, s.getSecretKey(), null, null);
    }

    @Override
    public Certificate[] engineGetCertificateChain(String alias) {
        return null;
    }

    @Override
    public Certificate engineGetCertificate(String alias) {
        return null;
    }

    @Override
    public Date engineGetCreationDate(String alias) {
        return find(alias).map(k -> Date.from(k.created())).orElse(null);
    }

    @Override
    public void engineSetKeyEntry(String alias, java.security.Key key, char[] password, Certificate[] chain) throws KeyStoreException {
        if (!(key instanceof SecretKey)) {
            throw new KeyStoreException("a GuestAttest key store holds secret keys only, got " + key.getClass().getName());
        }
        byte[] material = key.getEncoded();
        if (material == null) {
            throw new KeyStoreException("the key is not extractable, so it cannot be copied into a keyring");
        }
        String[] parts = split(alias);
        try {
            loaded().add(parts[0], parts[1], material, EnumSet.allOf(KeyPermission.class));
        } catch (AttestationException e) {
            throw new KeyStoreException(e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(material, (byte) 0);
        }
    }

    @Override
    public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain) throws KeyStoreException {
        throw new KeyStoreException("protected key blobs are not supported; pass a SecretKey");
    }

    @Override
    public void engineSetCertificateEntry(String alias, Certificate cert) throws KeyStoreException {
        throw new KeyStoreException("a GuestAttest key store holds keys only, not certificates");
    }

    @Override
    public void engineDeleteEntry(String alias) throws KeyStoreException {
        find(alias).ifPresent(k -> loaded().unlink(k));
    }

    @Override
    public Enumeration<String> engineAliases() {
        return Collections.enumeration(usable().stream().map(KeyringKeyStore::alias).toList());
    }

    @Override
    public boolean engineContainsAlias(String alias) {
        return find(alias).isPresent();
    }

    @Override
    public int engineSize() {
        return usable().size();
    }

    @Override
    public boolean engineIsKeyEntry(String alias) {
        return find(alias).isPresent();
    }

    @Override
    public boolean engineIsCertificateEntry(String alias) {
        return false;
    }

    @Override
    public String engineGetCertificateAlias(Certificate cert) {
        return null;
    }

    static String alias(Key key) {
        return key.type() + ":" + key.description();
    }

    private List<Key> usable() {
        return loaded().keys().stream().filter(k -> k.state() == KeyState.INSTANTIATED).toList();
    }

    private Optional<Key> find(String alias) {
        int colon = alias.indexOf(':');
        return colon <= 0 ? Optional.empty() : loaded().find(alias.substring(0, colon), alias.substring(colon + 1));
    }

    private static String[] split(String alias) throws KeyStoreException {
        int colon = alias.indexOf(':');
        if (colon <= 0 || colon == alias.length() - 1) {
            throw new KeyStoreException("alias '" + alias + "' is not <type>:<description>, e.g. logon:disk:root");
        }
        return new String[] {alias.substring(0, colon), alias.substring(colon + 1)};
    }

    private Keyring loaded() {
        if (ring == null) {
            throw new IllegalStateException("load the key store with a KeyringParameter first");
        }
        return ring;
    }
}
