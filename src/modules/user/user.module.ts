import type { Feature, Infrastructure } from "../../platform/module.js";
import { PrismaUserRepository } from "./user.repository.js";
import { UserResolver } from "./user.resolver.js";
import { UserService } from "./user.service.js";

export function createUserModule(infra: Infrastructure): Feature<{ service: UserService }> {
  const service = new UserService(new PrismaUserRepository(infra.prisma, infra.sql));
  return { module: { resolvers: [new UserResolver(service)] }, service };
}
