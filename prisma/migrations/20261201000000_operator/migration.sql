-- AlterTable
ALTER TABLE `concerts` ADD COLUMN `sale_opens_at` DATETIME(3) NULL;

-- CreateTable
CREATE TABLE `sale_draws` (
    `concert_id` CHAR(36) NOT NULL,
    `seed` CHAR(64) NOT NULL,
    `commitment` CHAR(64) NOT NULL,
    `drawn_at` DATETIME(3) NULL,
    `entrants` INTEGER NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    PRIMARY KEY (`concert_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `sale_controls` (
    `concert_id` CHAR(36) NOT NULL,
    `paused` BOOLEAN NOT NULL DEFAULT false,
    `max_active` INTEGER NULL,
    `admit_per_tick` INTEGER NULL,
    `updated_at` DATETIME(3) NOT NULL,
    `updated_by` VARCHAR(32) NOT NULL,

    PRIMARY KEY (`concert_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `operator_actions` (
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    `at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `operator` VARCHAR(32) NOT NULL,
    `action` VARCHAR(64) NOT NULL,
    `concert_id` CHAR(36) NULL,
    `details` TEXT NOT NULL,

    INDEX `operator_actions_concert_id_id_idx`(`concert_id`, `id`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `sale_draws` ADD CONSTRAINT `sale_draws_concert_id_fkey` FOREIGN KEY (`concert_id`) REFERENCES `concerts`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `sale_controls` ADD CONSTRAINT `sale_controls_concert_id_fkey` FOREIGN KEY (`concert_id`) REFERENCES `concerts`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
