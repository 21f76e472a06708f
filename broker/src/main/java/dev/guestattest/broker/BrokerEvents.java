// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.verify.ar4si.Tier;

/** What the broker's decisions tell an observer (its metrics), so that counting stays out of the decisions. */
interface BrokerEvents {
    void sessionOpened(String tee);

    /** An attestation was appraised (whatever became of it after). */
    void appraised(String tee, Tier status);

    /** An attestation was accepted, {@code seconds} after its attempt began. */
    void attested(double seconds);

    /** A resource request ended: released, forbidden, absent, or unauthenticated. */
    void release(String outcome);

    /** A 429 counted instead of audited. */
    void unauditedRefusal(String endpoint);
}
