// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The published schemas of the commands' {@code --json} output ({@code schemas/<command>.schema.json}
 * in the CLI jar, JSON Schema 2020-12), held against what the commands print.
 */
final class JsonSchemas {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

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

    static Schema schema(String name) {
        String resource = "/dev/guestattest/cli/schemas/" + name + ".schema.json";
        try (InputStream in = JsonSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("no schema " + resource);
            }
            return REGISTRY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
