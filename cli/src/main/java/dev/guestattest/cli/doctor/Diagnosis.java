// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** doctor's answer: the findings in order, and the TEEs it found. */
public record Diagnosis(List<Finding> findings, List<Tee> tees) {
    public Diagnosis {
        findings = List.copyOf(findings);
        tees = List.copyOf(tees);
    }

    public boolean failed() {
        return count(Status.FAIL) > 0;
    }

    long count(Status s) {
        return findings.stream().filter(f -> f.status() == s).count();
    }

    /** One line per finding, then a summary line. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>(findings.stream().map(Finding::line).toList());
        lines.add(String.format("summary: %d ok, %d warn, %d fail, %d skip; TEE found: %s", count(Status.OK), count(Status.WARN),
                count(Status.FAIL), count(Status.SKIP), tees.isEmpty() ? "none" : String.join(", ", tees.stream().map(Tee::id).toList())));
        return lines;
    }

    /** The document schemas/doctor.schema.json describes. */
    public ObjectNode json() {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        ArrayNode list = doc.putArray("findings");
        for (Finding f : findings) {
            list.addObject().put("check", f.check()).put("status", f.status().json()).put("detail", f.detail()).put("fix", f.fix());
        }
        ObjectNode summary = doc.putObject("summary");
        for (Status s : Status.values()) {
            summary.put(s.json(), count(s));
        }
        ArrayNode found = summary.putArray("tees");
        tees.forEach(t -> found.add(t.id()));
        return doc;
    }
}
