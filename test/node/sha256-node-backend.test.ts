import { nodeSha256Backend } from "../../settlement-node/crypto/node-sha256.ts";
import { describeSha256BackendConformance } from "../core/smt-hash-backend-conformance.ts";

describeSha256BackendConformance(nodeSha256Backend, 1_000);
