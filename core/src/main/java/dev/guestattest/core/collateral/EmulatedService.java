// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import java.util.Map;
import java.util.Optional;

/**
 * A vendor's collateral service as a TEE's emulator plays it ({@code emulator serve}): the paths
 * and answers of Intel's PCS or AMD's KDS, from the emulator's own state, so that fetching,
 * caching and verifying collateral run end to end offline.
 */
public interface EmulatedService {
    /** What the service is, for the ready line and logs: "Intel PCS (emulated TDX platform)". */
    String description();

    /** The answer to a GET of {@code path} with {@code query}; empty when the path is not this service's. */
    Optional<ServedDocument> get(String path, Map<String, String> query);
}
