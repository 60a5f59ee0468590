import { runAsMain } from "../shared/command";
import { planCommand } from "./command";

runAsMain(planCommand);
