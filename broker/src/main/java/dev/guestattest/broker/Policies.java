// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.policy.ResourcePolicy;
import dev.guestattest.broker.store.SharedDocuments;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.util.Optional;

/** The documents every instance shares and decisions read: the attestation policy, the resource policy, the reference values. */
final class Policies {
    private final SharedDocuments documents;
    private final SharedDocument<Policy> attestation;
    private final SharedDocument<ResourcePolicy> resources;
    private final SharedDocument<ReferenceValues> referenceValues;

    Policies(SharedDocuments documents) {
        this.documents = documents;
        this.attestation = new SharedDocument<>(documents, SharedDocuments.ATTESTATION_POLICY, Policy::parse);
        this.resources = new SharedDocument<>(documents, SharedDocuments.RESOURCE_POLICY, ResourcePolicy::parse);
        this.referenceValues = new SharedDocument<>(documents, SharedDocuments.REFERENCE_VALUES, ReferenceValues::parse);
    }

    /** The attestation policy; none set is a refusal, as nothing may be appraised without one ({@code how}: what the caller does). */
    Policy attestation(String how) {
        return attestation.get().orElseThrow(() -> new BrokerException(Refusal.NO_POLICY, "no attestation policy is set; an administrator must set one" + how));
    }

    /** The resource policy; none set is the default one (affirming results read everything). */
    ResourcePolicy resources() {
        return resources.get().orElse(ResourcePolicy.DEFAULT);
    }

    /** A document as it was set, byte for byte (only the named documents: never the token key beside them). */
    Optional<byte[]> stored(String name) {
        if (!name.equals(SharedDocuments.ATTESTATION_POLICY) && !name.equals(SharedDocuments.RESOURCE_POLICY)
                && !name.equals(SharedDocuments.REFERENCE_VALUES)) {
            throw new IllegalArgumentException(name + " is not a policy document");
        }
        return documents.get(name);
    }

    ReferenceValues referenceValues() {
        return referenceValues.get().orElse(ReferenceValues.EMPTY);
    }

    /** Stores a document this instance then reads at once (other instances within a second). */
    void put(String name, byte[] document, long now) {
        documents.put(name, document, now);
        attestation.invalidate();
        resources.invalidate();
        referenceValues.invalidate();
    }
}
