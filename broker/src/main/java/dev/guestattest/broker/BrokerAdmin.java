// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.policy.ResourcePolicy;
import dev.guestattest.broker.store.Audit;
import dev.guestattest.broker.store.Resources;
import dev.guestattest.broker.store.SharedDocuments;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The broker's administration, apart from RCAR: resources, the policies, the reference values and
 * the audit log. {@link #admit} is the door (the transport checks the credential); {@link #run}
 * audits a refused call and charges it to the client's budget of refusals. The operations assume
 * the caller was admitted, or is the broker's own configuration.
 */
public final class BrokerAdmin {
    private final Resources resources;
    private final Policies policies;
    private final Audit audit;
    private final Auditor auditor;
    private final Clock clock;
    private final BrokerConfig config;
    /** Charged only when an admin call is refused: a token-guessing loop runs dry, an admin's own calls do not. */
    private final RateLimiter failures;

    BrokerAdmin(Resources resources, Policies policies, Audit audit, Auditor auditor, Clock clock, BrokerConfig config) {
        this.resources = resources;
        this.policies = policies;
        this.audit = audit;
        this.auditor = auditor;
        this.clock = clock;
        this.config = config;
        int perMinute = config.adminFailuresPerClientPerMinute();
        this.failures = new RateLimiter(perMinute / 60.0, perMinute, config.trackedClients());
    }

    /**
     * The door to every admin endpoint: a client past its budget of refused admin calls is refused
     * whatever it sends (so a token-guessing loop runs dry), and a wrong credential is refused,
     * audited and charged to that budget.
     */
    public void admit(boolean credentialValid, String client) {
        if (failures.exhausted(ClientAddress.group(client), System.nanoTime())) {
            throw auditor.tooMany(AuditContext.of("admin", client), "more than " + config.adminFailuresPerClientPerMinute()
                    + " refused admin calls per minute from this client; retry later");
        }
        if (!credentialValid) {
            throw refused(client, new BrokerException(Refusal.ADMIN_UNAUTHORIZED, "this is an admin endpoint: it takes the admin token"
                    + " (Authorization: Bearer ...), not a guest's attestation token"));
        }
    }

    /**
     * Runs an admitted admin call; its refusal (a document that does not parse, a bad path, a body
     * that did not arrive) is audited and charged like a wrong token. The store's own failure is not
     * the caller's and passes through.
     */
    public <T> T run(String client, Supplier<T> call) {
        try {
            return call.get();
        } catch (AttestationException e) {
            if (e.reason().category() != Reason.Category.INPUT) {
                throw e;
            }
            throw refused(client, Auditor.refusal("admin request", e));
        } catch (RuntimeException | StackOverflowError e) {
            throw refused(client, Auditor.refusal("admin request", e));
        }
    }

    private BrokerException refused(String client, BrokerException why) {
        failures.tryAcquire(ClientAddress.group(client), System.nanoTime());
        return auditor.refuse(AuditContext.of("admin", client), why);
    }

    public void putResource(String repoTypeTag, byte[] secret, String client) {
        String path = Resources.path(repoTypeTag);
        resources.put(path, secret, "admin@" + client, clock.millis());
        auditor.record(AuditContext.of("admin", client).path(path), "resource-set", secret.length + " bytes");
    }

    public boolean deleteResource(String repoTypeTag, String client) {
        String path = Resources.path(repoTypeTag);
        boolean gone = resources.delete(path);
        auditor.record(AuditContext.of("admin", client).path(path), gone ? "resource-deleted" : "resource-absent", "");
        return gone;
    }

    /** The paths stored, never the secrets. */
    public List<String> resourcePaths() {
        return resources.paths();
    }

    /** Sets the attestation policy after checking it whole (a typo fails here, with its line). Returns its id. */
    public String setAttestationPolicy(byte[] document, String client) {
        document = TrusteePolicyUpload.unwrap(document, "attestation policy");
        Policy p = Policy.parse(document);
        set(SharedDocuments.ATTESTATION_POLICY, document, client, "policy " + p.id() + " sha256 " + p.sha256().hex());
        return p.id();
    }

    public void setResourcePolicy(byte[] document, String client) {
        document = TrusteePolicyUpload.unwrap(document, "resource policy");
        ResourcePolicy p = ResourcePolicy.parse(document);
        set(SharedDocuments.RESOURCE_POLICY, document, client, p.rules().size() + " rules");
    }

    public void setReferenceValues(byte[] document, String client) {
        ReferenceValues v = ReferenceValues.parse(document);
        set(SharedDocuments.REFERENCE_VALUES, document, client, v.entries().size() + " values");
    }

    /** The newest {@code limit} audit entries (1 to 10,000), newest first. */
    public List<Audit.Entry> audit(int limit) {
        return audit.recent(Math.max(1, Math.min(limit, Audit.MAX_READ)));
    }

    /** The audit entries {@code q} asks for (since a time, of one decision, the newest so many), newest last. */
    public List<Audit.Entry> audit(Audit.Query q) {
        return audit.read(q);
    }

    /** The attestation policy as it was set, byte for byte; empty when none is. */
    public Optional<byte[]> attestationPolicy() {
        return policies.stored(SharedDocuments.ATTESTATION_POLICY);
    }

    /** The resource policy as it was set; empty when none is (the default then applies: affirming results read everything). */
    public Optional<byte[]> resourcePolicy() {
        return policies.stored(SharedDocuments.RESOURCE_POLICY);
    }

    private void set(String name, byte[] document, String client, String detail) {
        policies.put(name, document, clock.millis());
        auditor.record(AuditContext.of("admin", client), name + "-set", detail);
    }
}
