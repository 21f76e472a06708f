// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import java.util.Map;

/** One answer of a collateral service (Intel PCS, AMD KDS) as an emulator serves it: status, headers, body. */
public record ServedDocument(int status, Map<String, String> headers, byte[] body) {
    public ServedDocument {
        headers = Map.copyOf(headers);
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public static ServedDocument ok(Map<String, String> headers, byte[] body) {
        return new ServedDocument(200, headers, body);
    }

    /** A 400 naming what is wrong with the request, in the headers Intel's PCS uses. */
    public static ServedDocument badRequest(String message) {
        return new ServedDocument(400, Map.of("Error-Code", "InvalidParameter", "Error-Message", message), new byte[0]);
    }

    /** A 404 with the {@code Error-Code}/{@code Error-Message} headers Intel's PCS sends. */
    public static ServedDocument notFound(String message) {
        return new ServedDocument(404, Map.of("Error-Code", "NotFound", "Error-Message", message), new byte[0]);
    }
}
