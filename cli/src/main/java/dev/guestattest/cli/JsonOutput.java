// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The one way a command prints its {@code --json} result: one pretty-printed document on stdout, held to schemas/<command>.schema.json. */
final class JsonOutput {
    private JsonOutput() {
    }

    static void print(JsonNode result) {
        System.out.println(result.toPrettyString());
    }
}
