// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.validate.SnpRules;
import dev.guestattest.verify.policy.Documents;
import dev.guestattest.verify.policy.Policy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policy file of {@code verify --snp --policy}, JSON or YAML, read by the appraisal policy's
 * strict loader: an unknown field, a value of the wrong type or an unknown TCB component is an
 * error naming its line, never a requirement silently dropped. The names are the appraisal's:
 * {@code minimum_tcb} components as the common claims name them, {@code vmpl} the list of accepted
 * levels (absent: 0 only).
 * <pre>
 * {"allow_debug": false, "allow_smt": true, "allow_migration_agent": true, "require_single_socket": false,
 *  "minimum_tcb": {"boot_loader": 3, "tee": 0, "snp": 9, "microcode": 115, "fmc": 0}, "minimum_firmware": "1.55",
 *  "measurements": ["..."], "host_data": "...", "id_key_digests": ["..."], "author_key_digests": ["..."],
 *  "vmpl": [0], "report_data": "..."}
 * </pre>
 */
final class SnpPolicyFile {
    private static final String WHAT = "policy";
    /** The file's SNP rules as {@link SnpRules} reads them: snake_case, absent fields left out. */
    private static final ObjectMapper SECTION = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private record File(Boolean allowDebug, Boolean allowSmt, Boolean allowMigrationAgent, Boolean requireSingleSocket,
                        Map<String, Integer> minimumTcb, String minimumFirmware, List<String> measurements, String hostData,
                        List<String> idKeyDigests, List<String> authorKeyDigests, List<Integer> vmpl, String reportData) {
    }

    private SnpPolicyFile() {
    }

    /**
     * Sets the file's rules on {@code policy}: debug, VMPLs and measurements as the appraiser's
     * rules of every TEE, the rest as {@link SnpRules}; returns the report data it expects, if any.
     */
    static Optional<Bytes> apply(byte[] document, Policy.Builder policy, boolean allowDebug) {
        File f = Documents.read(document, File.class, WHAT);
        policy.allowDebug(allowDebug || Boolean.TRUE.equals(f.allowDebug()));
        policy.vmpls(Policy.vmpls(document, Optional.ofNullable(f.vmpl())));
        try {
            policy.initialMeasurements(SnpRules.hexes(WHAT + ".measurements", f.measurements()));
            ObjectNode rules = SECTION.valueToTree(f);
            rules.remove(List.of("allow_debug", "measurements", "vmpl", "report_data"));
            policy.teeRules("snp", SnpRules.parse(WHAT, rules));
            return Optional.ofNullable(f.reportData()).map(h -> SnpRules.hex(WHAT + ".report_data", h, 64));
        } catch (AttestationException e) {
            throw Documents.located(document, WHAT, e, WHAT);
        }
    }
}
