import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../../platform/graphql/scalars.js";
import type { TicketStatus } from "./queue.model.js";

export enum QueueStatus {
  PREQUEUED = "PREQUEUED",
  WAITING = "WAITING",
  ACTIVE = "ACTIVE",
  EXPIRED = "EXPIRED",
}

registerEnumType(QueueStatus, {
  name: "QueueStatus",
  description:
    "PREQUEUED (entered before the sale opens; drawn into the line at the opening), WAITING in line, ACTIVE (admitted: may reserve and pay), or EXPIRED (over).",
});

@ObjectType({ simpleResolvers: true, description: "A user's place in one concert's waiting queue." })
export class QueueTicket {
  @Field({ description: "Send as `Authorization: Bearer <token>` (or connectionParams.authorization)." })
  token!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ID)
  concertId!: string;

  @Field(() => QueueStatus)
  status!: TicketStatus;

  @Field(() => Int, {
    nullable: true,
    description: "1-based place in line (WAITING users ahead + 1); null unless WAITING.",
  })
  position!: number | null;

  @Field(() => Int, {
    description:
      "Expected seconds until admission at the recently observed admission rate; 0 unless WAITING.",
  })
  estimatedWaitSeconds!: number;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the ACTIVE time ends; null until admitted.",
  })
  activeUntil!: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      "When the concert's sale opens (the pre-queue draw); null when it was on sale from the start. Before it the ticket is PREQUEUED.",
  })
  saleOpensAt!: Date | null;
  @Field({
    description:
      "An operator paused this concert's admission: nobody is admitted until it resumes (your place is kept).",
  })
  admissionPaused!: boolean;

  @Field({
    description:
      "No seat of any future date of this concert is free or held: waiting on is pointless (pushed when it turns true).",
  })
  soldOut!: boolean;
}

@ArgsType()
export class IssueQueueTokenArgs {
  @Field(() => ID)
  userId!: string;

  @Field()
  accessKey!: string;

  @Field(() => ID)
  concertId!: string;
}

@ArgsType()
export class QueueUpdatesArgs {
  @Field(() => String, {
    nullable: true,
    description: "The queue token, when it is not in connectionParams.authorization.",
  })
  token?: string | null;
}
