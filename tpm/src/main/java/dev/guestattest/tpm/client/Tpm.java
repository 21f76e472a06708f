// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.client;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tpm.abi.PcrSelection;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.abi.TpmReader;
import dev.guestattest.tpm.abi.TpmSignature;
import dev.guestattest.tpm.abi.TpmWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TPM 2.0 commands GuestAttest needs, marshalled by hand: Startup, PCR_Read, PCR_Extend,
 * CreatePrimary (an attestation key), Quote, ReadPublic, FlushContext. Authorization is the empty
 * password session. There may be no resource manager (swtpm), so callers flush what they create.
 */
public final class Tpm implements AutoCloseable {
    private final TpmTransport transport;

    public Tpm(TpmTransport transport) {
        this.transport = transport;
    }

    /** TPM2_Startup(CLEAR); an already started TPM (TPM_RC_INITIALIZE) is fine. */
    public void startup() {
        Response r = send(Tpm2.ST_NO_SESSIONS, Tpm2.CC_STARTUP, new TpmWriter().u16(0).toByteArray(), false);
        if (r.code != Tpm2.RC_SUCCESS && r.code != Tpm2.RC_INITIALIZE) {
            throw failure("Startup", r.code);
        }
    }

    /** PCR values of one bank, read at most eight at a time. */
    public Map<Integer, Bytes> pcrRead(PcrSelection selection) {
        Map<Integer, Bytes> out = new TreeMap<>();
        for (PcrSelection chunk : selection.chunks()) {
            TpmWriter w = new TpmWriter();
            chunk.write(w);
            TpmReader r = ok("PCR_Read", send(Tpm2.ST_NO_SESSIONS, Tpm2.CC_PCR_READ, w.toByteArray(), false));
            r.u32("pcrUpdateCounter");
            PcrSelection returned = PcrSelection.read(r);
            long count = r.u32("pcrValues.count");
            List<Integer> pcrs = new ArrayList<>(returned.pcrs());
            if (count != pcrs.size()) {
                throw AttestationException.of(Reason.DEVICE_ERROR, "PCR_Read returned " + count + " digests for " + pcrs.size() + " PCRs");
            }
            for (int pcr : pcrs) {
                out.put(pcr, r.tpm2b("pcrValue", 64));
            }
        }
        return out;
    }

    public void pcrExtend(int pcr, int hashAlg, Bytes digest) {
        byte[] params = new TpmWriter().u32(1).u16(hashAlg).bytes(digest).toByteArray();
        ok("PCR_Extend", send(Tpm2.ST_SESSIONS, Tpm2.CC_PCR_EXTEND, withHandleAndAuth(pcr, params), true));
    }

    /** A created primary key: its transient handle and public area. */
    public record Key(long handle, TpmPublic publicArea) {
    }

    /** CreatePrimary of a restricted signing key from {@code template} in {@code hierarchy}; flush it when done. */
    public Key createPrimary(long hierarchy, byte[] template) {
        byte[] params = new TpmWriter().u16(4).u16(0).u16(0).tpm2b(template).u16(0).u32(0).toByteArray();
        Response resp = send(Tpm2.ST_SESSIONS, Tpm2.CC_CREATE_PRIMARY, withHandleAndAuth(hierarchy, params), true);
        TpmReader r = ok("CreatePrimary", resp);
        long handle = r.u32("objectHandle");
        r.u32("parameterSize");
        Bytes pub = r.tpm2b("outPublic", 1024);
        return new Key(handle, TpmPublic.parse(pub.toArray()));
    }

    /** A quote and its signature, as the TPM marshalled them. */
    public record Quoted(Bytes attest, TpmSignature signature) {
    }

    public Quoted quote(long keyHandle, Bytes qualifyingData, PcrSelection selection) {
        TpmWriter w = new TpmWriter().tpm2b(qualifyingData.toArray()).u16(Tpm2.ALG_NULL);
        selection.write(w);
        TpmReader r = ok("Quote", send(Tpm2.ST_SESSIONS, Tpm2.CC_QUOTE, withHandleAndAuth(keyHandle, w.toByteArray()), true));
        r.u32("parameterSize");
        Bytes attest = r.tpm2b("quoted", 1024);
        return new Quoted(attest, TpmSignature.read(r));
    }

    public TpmPublic readPublic(long handle) {
        TpmReader r = ok("ReadPublic", send(Tpm2.ST_NO_SESSIONS, Tpm2.CC_READ_PUBLIC, new TpmWriter().u32(handle).toByteArray(), false));
        return TpmPublic.parse(r.tpm2b("outPublic", 1024).toArray());
    }

    /** TPM2_GetCapability(TPM_PROPERTIES, TPM_PT_MANUFACTURER): the vendor's ID without padding, e.g. "IBM" for swtpm. */
    public String manufacturer() {
        byte[] params = new TpmWriter().u32(6).u32(0x105).u32(1).toByteArray(); // TPM_CAP_TPM_PROPERTIES, TPM_PT_MANUFACTURER
        TpmReader r = ok("GetCapability", send(Tpm2.ST_NO_SESSIONS, Tpm2.CC_GET_CAPABILITY, params, false));
        r.u8("moreData");
        r.u32("capability");
        long count = r.u32("count");
        if (count < 1 || r.u32("property") != 0x105) {
            throw AttestationException.of(Reason.DEVICE_ERROR, "GetCapability did not return TPM_PT_MANUFACTURER");
        }
        long v = r.u32("value");
        byte[] id = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        return new String(id, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "").strip();
    }

    /** The size of an NV index's data, or empty when the index is not defined. */
    public java.util.Optional<Integer> nvSize(long index) {
        Response resp = send(Tpm2.ST_NO_SESSIONS, Tpm2.CC_NV_READ_PUBLIC, new TpmWriter().u32(index).toByteArray(), false);
        if ((resp.code & 0xff) == 0x8b) { // TPM_RC_HANDLE: no such index
            return java.util.Optional.empty();
        }
        TpmReader r = ok("NV_ReadPublic", resp);
        r.u16("nvPublic.size");
        r.u32("nvIndex");
        r.u16("nameAlg");
        r.u32("attributes");
        r.tpm2b("authPolicy", 64);
        return java.util.Optional.of(r.u16("dataSize"));
    }

    /** NV_Read of a whole index with owner authorization (the empty owner password), 512 bytes at a time. */
    public Bytes nvRead(long index, int size) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int offset = 0; offset < size; offset += 512) {
            int n = Math.min(512, size - offset);
            byte[] auth = new TpmWriter().u32(Tpm2.RS_PW).u16(0).u8(0).u16(0).toByteArray();
            byte[] body = new TpmWriter().u32(Tpm2.RH_OWNER).u32(index).u32(auth.length).bytes(auth).u16(n).u16(offset).toByteArray();
            TpmReader r = ok("NV_Read", send(Tpm2.ST_SESSIONS, Tpm2.CC_NV_READ, body, true));
            r.u32("parameterSize");
            out.writeBytes(r.tpm2b("data", 1024).toArray());
        }
        return Bytes.of(out.toByteArray());
    }

    public void flush(long handle) {
        ok("FlushContext", send(Tpm2.ST_NO_SESSIONS, Tpm2.CC_FLUSH_CONTEXT, new TpmWriter().u32(handle).toByteArray(), false));
    }

    @Override
    public void close() {
        transport.close();
    }

    private record Response(long code, byte[] body) {
    }

    /** The handle, then an authorization area with one empty-password session, then the parameters. */
    private static byte[] withHandleAndAuth(long handle, byte[] params) {
        byte[] auth = new TpmWriter().u32(Tpm2.RS_PW).u16(0).u8(0).u16(0).toByteArray();
        return new TpmWriter().u32(handle).u32(auth.length).bytes(auth).bytes(params).toByteArray();
    }

    /** TPM_RC_RETRY, TESTING and YIELDED ask the caller to send the same command again. */
    private static boolean retryable(long rc) {
        return rc == 0x922 || rc == 0x90A || rc == 0x908;
    }

    private Response send(int tag, long code, byte[] body, boolean sessions) {
        byte[] cmd = new TpmWriter().u16(tag).u32(10 + body.length).u32(code).bytes(body).toByteArray();
        Response r = sendOnce(cmd);
        for (int attempt = 0; attempt < 20 && retryable(r.code); attempt++) {
            try {
                Thread.sleep(10L << Math.min(attempt, 5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AttestationException.of(Reason.INTERRUPTED, "interrupted while the TPM asked to retry");
            }
            r = sendOnce(cmd);
        }
        return r;
    }

    private Response sendOnce(byte[] cmd) {
        byte[] resp = transport.transmit(cmd);
        TpmReader r = new TpmReader("TPM response", resp);
        r.u16("tag");
        long size = r.u32("size");
        long rc = r.u32("responseCode");
        if (size != resp.length) {
            throw AttestationException.of(Reason.DEVICE_ERROR, "TPM response says " + size + " bytes, has " + resp.length);
        }
        return new Response(rc, java.util.Arrays.copyOfRange(resp, 10, resp.length));
    }

    private static TpmReader ok(String what, Response r) {
        if (r.code != Tpm2.RC_SUCCESS) {
            throw failure(what, r.code);
        }
        return new TpmReader(what + " response", r.body);
    }

    private static AttestationException failure(String what, long rc) {
        String hint = (rc & 0xfff) == 0x902 || (rc & 0xfff) == 0x903
                ? " (out of object or session memory: flush transient objects; swtpm has no resource manager)" : "";
        return AttestationException.device(rc, String.format("TPM2_%s failed with TPM_RC 0x%03x%s", what, rc, hint));
    }
}
