// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.store.Audit;
import java.util.List;
import java.util.Optional;

/** What an audit entry says about who asked: the endpoint, the client, and the session, TEE and path once known. */
record AuditContext(String event, String client, Optional<String> session, Optional<String> tee, Optional<String> path) {
    static AuditContext of(String event, String client) {
        return new AuditContext(event, client, Optional.empty(), Optional.empty(), Optional.empty());
    }

    AuditContext session(String id) {
        return new AuditContext(event, client, Optional.of(id), tee, path);
    }

    AuditContext session(Optional<String> id) {
        return new AuditContext(event, client, id, tee, path);
    }

    AuditContext tee(String name) {
        return new AuditContext(event, client, session, Optional.of(name), path);
    }

    AuditContext path(String p) {
        return new AuditContext(event, client, session, tee, Optional.of(p));
    }

    Audit.Entry entry(long at, String outcome, String detail) {
        return entry(at, outcome, detail, List.of());
    }

    /** With the names of the checks that failed. */
    Audit.Entry entry(long at, String outcome, String detail, List<String> checks) {
        return new Audit.Entry(at, event, outcome, session, tee, path, client, detail, checks);
    }
}
