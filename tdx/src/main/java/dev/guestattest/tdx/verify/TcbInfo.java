// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Intel's TDX TCB Info (PCS v4, {@code id "TDX"}, version 3), parsed from the signed JSON text. */
public record TcbInfo(String id, int version, Instant issueDate, Instant nextUpdate, Bytes fmspc, Bytes pceId,
                      Optional<Module> tdxModule, List<ModuleIdentity> moduleIdentities, List<Level> levels) {
    public TcbInfo {
        moduleIdentities = List.copyOf(moduleIdentities);
        levels = List.copyOf(levels);
    }

    /** The TDX module's signer and attributes, for major version 0 (no identity entries). */
    public record Module(Bytes mrsigner, Bytes attributes, Bytes attributesMask) {
    }

    /** A TDX module identity {@code TDX_<major>} with its own TCB levels keyed by the module's ISVSVN. */
    public record ModuleIdentity(String id, Bytes mrsigner, Bytes attributes, Bytes attributesMask, List<IsvLevel> levels) {
    }

    /** A level keyed by one ISVSVN (module identities and the QE identity). */
    public record IsvLevel(int isvsvn, Instant tcbDate, TcbStatus status, List<String> advisoryIds) {
    }

    /** A platform TCB level: 16 SGX components, PCESVN, 16 TDX components. */
    public record Level(int[] sgxComponents, int pceSvn, int[] tdxComponents, Instant tcbDate, TcbStatus status,
                       List<String> advisoryIds) {
    }

    public static TcbInfo parse(String raw) {
        SignedJson j = SignedJson.parse("tcb_info", raw);
        String id = j.text("id");
        int version = j.integer("version", Integer.MAX_VALUE);
        if (!id.equals("TDX") || version != 3) {
            throw AttestationException.invalid("tcb_info", "id '" + id + "' version " + version + " is not TDX TCB Info version 3");
        }
        Optional<Module> module = Optional.empty();
        if (j.has("tdxModule")) {
            SignedJson m = j.object("tdxModule");
            module = Optional.of(new Module(m.hex("mrsigner", 48), m.hex("attributes", 8), m.hex("attributesMask", 8)));
        }
        List<ModuleIdentity> identities = j.optionalArray("tdxModuleIdentities").stream().map(m -> new ModuleIdentity(m.text("id"),
                m.hex("mrsigner", 48), m.hex("attributes", 8), m.hex("attributesMask", 8), isvLevels(m))).toList();
        List<Level> levels = j.array("tcbLevels").stream().map(TcbInfo::level).toList();
        if (levels.isEmpty()) {
            throw AttestationException.invalid("tcb_info.tcbLevels", "is empty");
        }
        return new TcbInfo(id, version, j.instant("issueDate"), j.instant("nextUpdate"), j.hex("fmspc", 6), j.hex("pceId", 2),
                module, identities, levels);
    }

    static List<IsvLevel> isvLevels(SignedJson owner) {
        List<IsvLevel> levels = owner.array("tcbLevels").stream().map(l -> new IsvLevel(l.object("tcb").integer("isvsvn", 0xffff),
                l.instant("tcbDate"), TcbStatus.parse(l.what() + ".tcbStatus", l.text("tcbStatus")), l.texts("advisoryIDs"))).toList();
        if (levels.isEmpty()) {
            throw AttestationException.invalid(owner.what() + ".tcbLevels", "is empty");
        }
        return levels;
    }

    private static Level level(SignedJson l) {
        SignedJson tcb = l.object("tcb");
        return new Level(components(tcb, "sgxtcbcomponents"), tcb.integer("pcesvn", 0xffff), components(tcb, "tdxtcbcomponents"),
                l.instant("tcbDate"), TcbStatus.parse(l.what() + ".tcbStatus", l.text("tcbStatus")), l.texts("advisoryIDs"));
    }

    private static int[] components(SignedJson tcb, String field) {
        List<SignedJson> c = tcb.array(field);
        if (c.size() != 16) {
            throw AttestationException.invalid(tcb.what() + "." + field, "has " + c.size() + " entries, not 16");
        }
        return c.stream().mapToInt(s -> s.integer("svn", 255)).toArray();
    }
}
