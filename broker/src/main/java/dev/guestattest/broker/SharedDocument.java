// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.store.SharedDocuments;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/**
 * A document every instance shares (a policy, the reference values), read from the store at most
 * once a second and re-parsed only when its bytes change: a change made on another instance takes
 * effect here within a second; one made here, at once ({@link #invalidate}).
 */
final class SharedDocument<T> {
    private static final long RECHECK_NANOS = 1_000_000_000L;
    private final SharedDocuments documents;
    private final String name;
    private final Function<byte[], T> parse;
    private volatile byte[] raw;
    private volatile Optional<T> value = Optional.empty();
    private volatile long checkedAt;
    private volatile boolean checked;

    SharedDocument(SharedDocuments documents, String name, Function<byte[], T> parse) {
        this.documents = documents;
        this.name = name;
        this.parse = parse;
    }

    Optional<T> get() {
        long now = System.nanoTime();
        if (checked && now - checkedAt < RECHECK_NANOS) {
            return value;
        }
        Optional<byte[]> stored = documents.get(name);
        if (stored.isEmpty()) {
            value = Optional.empty();
            raw = null;
        } else if (raw == null || !Arrays.equals(raw, stored.get())) {
            value = Optional.of(parse.apply(stored.get()));
            raw = stored.get();
        }
        checkedAt = now;
        checked = true;
        return value;
    }

    void invalidate() {
        checked = false;
    }
}
