// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

/**
 * A message that is not the shape RCAR gives it. The message names the field and what it must be;
 * it never quotes more of the input than a field name. The broker answers it as a bad request, the
 * client as a broker that does not speak RCAR.
 */
public final class WireException extends RuntimeException {
    public WireException(String message) {
        super(message, null, false, false);
    }
}
