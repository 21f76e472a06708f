// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.keys.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A named set of keys, one per type and description. {@link #request} is the in-process
 * request_key: a hit returns the key, a miss constructs it through the type, and concurrent
 * requests for one description share a single construction and get the same key.
 */
public final class Keyring {
    private final JavaKeyring space;
    private final int serial;
    private final String name;
    private final Map<Id, Object> slots = new HashMap<>(); // Key, or CompletableFuture<Key> while under construction

    private record Id(String type, String description) {
    }

    Keyring(JavaKeyring space, int serial, String name) {
        this.space = space;
        this.serial = serial;
        this.name = name;
    }

    public int serial() {
        return serial;
    }

    public String name() {
        return name;
    }

    /** Adds a key, or replaces the payload of the usable one already there (like add_key). */
    public Key add(String type, String description, byte[] payload, Set<KeyPermission> permissions) {
        KeyType t = space.type(type);
        t.vet(description);
        space.checkPayload(t, payload.length);
        Id id = new Id(type, description);
        synchronized (this) {
            if (slots.get(id) instanceof Key existing && existing.state() == KeyState.INSTANTIATED) {
                existing.update(payload);
                return existing;
            }
            if (slots.get(id) instanceof CompletableFuture<?>) {
                throw AttestationException.of(Reason.BUSY, type + ":" + description + " is under construction");
            }
            space.reserve();
            Key key = Key.instantiated(space, space.newSerial(), t, description, payload.clone(), permissions);
            replace(id, key);
            return key;
        }
    }

    /** {@link #add(String, String, byte[], Set)} for secret material, whose bytes never reach a message. */
    public Key add(String type, String description, Secret secret, Set<KeyPermission> permissions) {
        return secret.apply(bytes -> add(type, description, bytes, permissions));
    }

    /** The usable key of that type and description, if the keyring holds one this caller may find. */
    public synchronized Optional<Key> find(String type, String description) {
        if (slots.get(new Id(type, description)) instanceof Key k && k.state() == KeyState.INSTANTIATED && k.searchable()) {
            return Optional.of(k);
        }
        return Optional.empty();
    }

    /**
     * request_key: the key if present; else one constructed by its type from {@code callout}. A
     * failed construction leaves a negative key that fails requests with the same error for the
     * keyring's negative timeout; a revoked key fails them until it is unlinked.
     */
    public Key request(String type, String description, String callout) {
        KeyType t = space.type(type);
        t.vet(description);
        Id id = new Id(type, description);
        CompletableFuture<Key> construction;
        boolean mine = false;
        synchronized (this) {
            Object slot = slots.get(id);
            if (slot instanceof Key k) {
                Optional<AttestationException> failure = k.failure();
                if (failure.isEmpty()) {
                    if (!k.searchable()) {
                        throw AttestationException.of(Reason.PERMISSION_DENIED, k + " may not be searched for");
                    }
                    return k;
                }
                if (k.state() != KeyState.EXPIRED) {
                    throw failure.get();
                }
                slots.remove(id); // an expired key (or negative result) gives way to a fresh construction
                space.forget(k);
                slot = null;
            }
            if (slot instanceof CompletableFuture<?> f) {
                @SuppressWarnings("unchecked")
                CompletableFuture<Key> theirs = (CompletableFuture<Key>) f;
                construction = theirs;
            } else {
                construction = new CompletableFuture<>();
                slots.put(id, construction);
                mine = true;
            }
        }
        Key key = mine ? construct(t, id, callout, construction) : await(construction, id);
        key.failure().ifPresent(e -> {
            throw e;
        });
        return key;
    }

    private Key construct(KeyType type, Id id, String callout, CompletableFuture<Key> construction) {
        Key key;
        try {
            byte[] payload = space.construct(type, id.description(), callout);
            space.checkPayload(type, payload.length);
            space.reserve();
            key = Key.instantiated(space, space.newSerial(), type, id.description(), payload, EnumSet.allOf(KeyPermission.class));
        } catch (AttestationException e) {
            key = Key.negative(space, space.newSerial(), type, id.description(), e, space.negativeTimeout());
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                slots.remove(id);
            }
            construction.completeExceptionally(e);
            throw e;
        }
        synchronized (this) {
            replace(id, key);
        }
        construction.complete(key);
        return key;
    }

    private Key await(CompletableFuture<Key> construction, Id id) {
        Duration wait = space.constructionTimeout().plusSeconds(1);
        try {
            return construction.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw AttestationException.of(Reason.TIMEOUT, id.type() + ":" + id.description() + ": construction by another request did not finish within "
                    + wait.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted waiting for " + id.type() + ":" + id.description());
        } catch (ExecutionException e) {
            throw AttestationException.of(Reason.DEVICE_ERROR, id.type() + ":" + id.description() + ": construction failed: "
                    + e.getCause().getClass().getName());
        }
    }

    /** Removes the key from this keyring; the key itself stays usable for whoever holds it. */
    public synchronized boolean unlink(Key key) {
        Id id = new Id(key.type(), key.description());
        if (slots.get(id) == key) {
            slots.remove(id);
            space.forget(key);
            return true;
        }
        return false;
    }

    /** The keys here (instantiated, negative, revoked or expired), in serial order. */
    public synchronized List<Key> keys() {
        List<Key> out = new ArrayList<>();
        for (Object slot : slots.values()) {
            if (slot instanceof Key k) {
                out.add(k);
            }
        }
        out.sort((a, b) -> Integer.compare(a.serial(), b.serial()));
        return out;
    }

    private void replace(Id id, Key key) {
        if (slots.put(id, key) instanceof Key old) {
            space.forget(old);
        }
        space.register(key);
    }

    @Override
    public String toString() {
        return "keyring " + serial + " " + name;
    }
}
