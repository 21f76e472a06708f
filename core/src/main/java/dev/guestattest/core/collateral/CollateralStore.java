// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import java.util.List;
import java.util.Optional;

/**
 * Where checked collateral documents are kept between processes: a directory for the CLI, the
 * broker's database so that every instance on it shares one copy. A store holds only documents
 * the service has checked, and the service checks them again when it reads them back.
 */
public interface CollateralStore {
    Optional<Document> get(String key);

    /** Keeps {@code document} under its key, replacing an older copy. */
    void put(Document document);

    /** Every document, for listings and metrics. */
    List<Document> all();

    /**
     * Runs {@code fetch} while no other process sharing this store fetches {@code key}, so that a
     * fleet seeing a new platform at once makes one fetch (the broker's PostgreSQL: an advisory
     * lock). Stores that one process owns just run it.
     */
    default <T> T exclusively(String key, java.util.function.Supplier<T> fetch) {
        return fetch.get();
    }

    /** Keeps nothing. */
    static CollateralStore none() {
        return Nothing.INSTANCE;
    }

    /** The store that keeps nothing: one instance, so a service can tell it has none. */
    enum Nothing implements CollateralStore {
        INSTANCE;

        @Override
        public Optional<Document> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(Document document) {
        }

        @Override
        public List<Document> all() {
            return List.of();
        }
    }
}
