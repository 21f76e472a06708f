// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.util.List;

/**
 * The published schemas of the commands' {@code --json} output ({@code schemas/<command>.schema.json}
 * in the CLI jar, JSON Schema 2020-12), held against what the commands print.
 */
final class JsonSchemas {
    /** The schemas' $id base: they reference each other (defs.schema.json) by it, resolved to the jar, never fetched. */
    static final String BASE = "https://guestattest.dev/schemas/cli/";
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaIdResolvers(r -> r.mapPrefix(BASE, "classpath:dev/guestattest/cli/schemas/")));

    private JsonSchemas() {
    }

    /** {@code stdout} parsed and checked against the schema named {@code name} (e.g. "verify", "broker-audit"). */
    static JsonNode valid(String name, String stdout) {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(stdout);
        } catch (IOException e) {
            throw new AssertionError("--json output of " + name + " is not one JSON document: " + stdout, e);
        }
        List<Error> errors = schema(name).validate(doc);
        assertThat(errors).as("%s --json against schemas/%s.schema.json:%n%s", name, name, stdout).isEmpty();
        return doc;
    }

    static boolean exists(String name) {
        return JsonSchemas.class.getResource("/dev/guestattest/cli/schemas/" + name + ".schema.json") != null;
    }

    static Schema schema(String name) {
        if (!exists(name)) {
            throw new AssertionError("no schema schemas/" + name + ".schema.json");
        }
        return REGISTRY.getSchema(SchemaLocation.of(BASE + name + ".schema.json"));
    }
}
