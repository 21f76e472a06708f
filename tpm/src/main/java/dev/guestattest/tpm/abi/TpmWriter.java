// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import dev.guestattest.core.codec.Bytes;
import java.io.ByteArrayOutputStream;

/** Big-endian TPM marshalling. */
public final class TpmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public TpmWriter u8(int v) {
        out.write(v);
        return this;
    }

    public TpmWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public TpmWriter u32(long v) {
        return u16((int) (v >>> 16)).u16((int) v);
    }

    public TpmWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public TpmWriter bytes(Bytes b) {
        return bytes(b.toArray());
    }

    public TpmWriter tpm2b(byte[] b) {
        return u16(b.length).bytes(b);
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
