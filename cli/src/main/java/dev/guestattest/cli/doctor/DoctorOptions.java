// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What to check beyond the machine itself.
 *
 * @param tee --tee: check only this TEE (and fail when it is absent); empty: whatever is found
 * @param services the services named on the command line: check name, what, URL, option
 * @param tryQuote whether to ask configfs-tsm for one real report
 * @param quoteTimeout the bound on that report
 */
public record DoctorOptions(Optional<Tee> tee, List<Service> services, boolean tryQuote, Duration quoteTimeout) {
    public DoctorOptions {
        services = List.copyOf(services);
    }

    /** A service to reach, e.g. {@code new Service("broker", uri, "--broker")}. */
    public record Service(String what, URI uri, String source) {
    }
}
