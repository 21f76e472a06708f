// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.store.Audit;
import dev.guestattest.core.AttestationException;
import java.time.Clock;
import java.util.List;

/**
 * Every decision audited, every refusal an exception the caller throws: {@link #refuse} records
 * the refusal and hands back what to throw. A 429 is audited once a minute per client and endpoint
 * and counted otherwise: a flood must not become audit rows.
 */
final class Auditor {
    private static final System.Logger LOG = System.getLogger("dev.guestattest.broker");
    private static final System.Logger DECISIONS = System.getLogger(Broker.DECISION_LOG);
    private final Audit audit;
    private final Clock clock;
    private final BrokerEvents events;
    private final RateLimiter audited429 = new RateLimiter(1.0 / 60, 1, 100_000);

    Auditor(Audit audit, Clock clock, BrokerEvents events) {
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    void record(AuditContext c, String outcome, String detail) {
        record(c, outcome, detail, List.of());
    }

    /** With the names of the checks that failed (an appraisal's, where it is the decision). */
    void record(AuditContext c, String outcome, String detail, List<String> checks) {
        record(entry(c, outcome, detail, checks));
    }

    private void record(Audit.Entry e) {
        audit.record(e);
        logged(e);
    }

    /** The entry for a write that records it in the same commit (a session's opening, an attempt's end); {@link #logged} once committed. */
    Audit.Entry entry(AuditContext c, String outcome, String detail, List<String> checks) {
        return c.entry(clock.millis(), outcome, detail, checks);
    }

    /**
     * The decision's line in the broker's log, once its entry is committed: the entry as one JSON
     * object ({@link Audit.Entry#toJson}) on the logger {@value Broker#DECISION_LOG} at INFO, which
     * {@code broker serve} writes to stdout a line each. What an entry holds is what the audit holds:
     * never a secret, a token or a key.
     */
    void logged(Audit.Entry e) {
        if (DECISIONS.isLoggable(System.Logger.Level.INFO)) {
            DECISIONS.log(System.Logger.Level.INFO, e.toJson().toString());
        }
    }

    BrokerException refuse(Refusal r, AuditContext c, String why) {
        return refuse(c, new BrokerException(r, why));
    }

    /** Audits {@code why} as it is, with the checks it names. */
    BrokerException refuse(AuditContext c, BrokerException why) {
        record(entry(c, why.refusal().auditOutcome(), why.getMessage(), why.checks()));
        return why;
    }

    BrokerException tooMany(AuditContext c, String why) {
        if (audited429.tryAcquire(c.event() + " " + ClientAddress.group(c.client()), System.nanoTime())) {
            record(c, Refusal.RATE_LIMITED.auditOutcome(), why + " (further 429s to this client within a minute are counted in metrics, not audited)");
        } else {
            events.unauditedRefusal(c.event());
        }
        return new BrokerException(Refusal.RATE_LIMITED, why);
    }

    /**
     * What a failed attempt tells the caller: a refusal as it is; a malformed message or bad input
     * as a bad request (too large: too large); the environment failing (the store, a collateral
     * service) as unavailable, with its words kept in the log, as they name hosts and tables; anything
     * else the caller's bytes provoked as a bad request, named by its type and a scrubbed message. Its
     * frames go to the log at DEBUG only.
     */
    static BrokerException refusal(String what, Throwable e) {
        if (e instanceof BrokerException b) {
            return b;
        }
        if (e instanceof dev.guestattest.broker.wire.WireException w) {
            return new BrokerException(Refusal.BAD_REQUEST, w.getMessage());
        }
        if (e instanceof AttestationException a) {
            Refusal r = Refusal.of(a);
            if (r == Refusal.UNAVAILABLE) {
                LOG.log(System.Logger.Level.WARNING, what + " could not be processed: " + a.reason() + ": " + a.getMessage());
                return new BrokerException(r, what + " could not be processed now (" + a.reason() + "); retry later");
            }
            return new BrokerException(r, a.getMessage());
        }
        LOG.log(System.Logger.Level.DEBUG, () -> what + " could not be processed: " + Unexpected.where(e));
        return new BrokerException(Refusal.BAD_REQUEST, what + " could not be processed: " + Unexpected.describe(e));
    }

    /** A malformed message read outside an audited attempt: refused as a bad request, unaudited, as before the wire records. */
    static <T> T readOrRefuse(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (dev.guestattest.broker.wire.WireException e) {
            throw new BrokerException(Refusal.BAD_REQUEST, e.getMessage());
        }
    }
}
