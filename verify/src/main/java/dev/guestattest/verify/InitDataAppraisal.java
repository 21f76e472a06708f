// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.initdata.InitData;
import dev.guestattest.verify.policy.Policy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Init-data, judged: the evidence must carry the digest of the init-data the guest sent, where its TEE
 * binds it (otherwise nothing vouches for those claims: the instance is not trusted, as Trustee
 * fails the attestation); and the policy's {@code init_data} rule may require init-data and values
 * in its claims, each by JSON pointer, compared as text.
 */
final class InitDataAppraisal {
    private InitDataAppraisal() {
    }

    static TrustVector appraise(CommonClaims c, Optional<InitData> data, Optional<Policy.InitDataRule> rule, TrustVector tv, List<Check> checks) {
        if (data.isPresent()) {
            InitData d = data.get();
            Optional<InitDataField> field = c.initDataField();
            String digest = d.algorithm().label() + " digest " + d.digest().hex();
            if (field.isEmpty()) {
                checks.add(Check.fail(PolicyChecks.INIT_DATA, "init-data was sent, but " + c.tee()
                        + " evidence has no field binding it: nothing vouches for its claims"));
                return tv.withInstanceIdentity(TrustVector.UNTRUSTWORTHY_INSTANCE);
            }
            if (!field.get().binds(d.digest())) {
                checks.add(Check.fail(PolicyChecks.INIT_DATA, field.get().name() + " is " + field.get().value().hex() + ", which does not hold the"
                        + " init-data's " + digest + " (" + field.get().rule() + ")"));
                return tv.withInstanceIdentity(TrustVector.UNTRUSTWORTHY_INSTANCE);
            }
            checks.add(Check.pass(PolicyChecks.INIT_DATA, field.get().name() + " holds the init-data's " + digest));
        }
        if (rule.isEmpty()) {
            return tv;
        }
        if (data.isEmpty()) {
            if (rule.get().required() || !rule.get().claims().isEmpty()) {
                checks.add(Check.fail(PolicyChecks.INIT_DATA, "the policy requires init-data; the guest sent none"));
                return tv.withConfiguration(Math.max(tv.configuration(), TrustVector.UNSUPPORTABLE_CONFIG));
            }
            return tv;
        }
        JsonNode claims = data.get().claims();
        boolean ok = true;
        for (Map.Entry<String, String> want : new java.util.TreeMap<>(rule.get().claims().values()).entrySet()) {
            String name = PolicyChecks.INIT_DATA_CLAIMS + want.getKey().replace('/', '.');
            Optional<String> unmet = rule.get().claims().unmet(claims, want.getKey());
            checks.add(unmet.map(why -> Check.fail(name, why)).orElseGet(() -> Check.pass(name, "is '" + want.getValue() + "'")));
            ok &= unmet.isEmpty();
        }
        return ok ? tv.withConfiguration(Math.max(tv.configuration(), TrustVector.APPROVED_CONFIG))
                : tv.withConfiguration(Math.max(tv.configuration(), TrustVector.UNSUPPORTABLE_CONFIG));
    }
}
