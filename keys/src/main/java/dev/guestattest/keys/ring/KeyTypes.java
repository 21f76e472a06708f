// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.abi.AttestDescription;
import dev.guestattest.keys.abi.Callout;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.LogonKeys;
import dev.guestattest.keys.Attester;

/** The built-in key types: the kernel's user and logon, and the 2023 proposal's guest_attest. */
public final class KeyTypes {
    private KeyTypes() {
    }

    /** Readable data, any description, up to 32767 bytes: the kernel's {@code user}. */
    public static KeyType user() {
        return new Simple("user", true);
    }

    /** Secrets that can never be read back, described {@code <subclass>:<name>}: the kernel's {@code logon}. */
    public static KeyType logon() {
        return new Simple(LogonKeys.TYPE, false);
    }

    /**
     * {@code guest_attest}: descriptions {@code guest_attest:<level>:<id>}, constructed on request from
     * the base64 callout by {@code attester}; the payload is the evidence.
     */
    public static KeyType guestAttest(Attester attester) {
        return new KeyType() {
            @Override
            public String name() {
                return "guest_attest";
            }

            @Override
            public void vet(String description) {
                AttestDescription.parse(description);
            }

            @Override
            public boolean readable() {
                return true;
            }

            @Override
            public int maxPayload() {
                return KernelKeys.MAX_USER_PAYLOAD;
            }

            @Override
            public byte[] construct(String description, String callout) {
                return attester.attest(Callout.request(AttestDescription.parse(description), callout)).outblob().toArray();
            }
        };
    }

    private record Simple(String name, boolean readable) implements KeyType {
        @Override
        public void vet(String description) {
            if (description.isEmpty() || description.length() > KernelKeys.MAX_DESCRIPTION) {
                throw AttestationException.invalid("description", description.length() + " characters is outside 1.."
                        + KernelKeys.MAX_DESCRIPTION);
            }
            if (!readable) {
                LogonKeys.vet(description);
            }
        }

        @Override
        public int maxPayload() {
            return KernelKeys.MAX_USER_PAYLOAD;
        }
    }
}
