import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PlanView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Monthly price in cents.' }) price: number;
  @ApiProperty() currency: string;
  @ApiProperty() interval: string;
  @ApiProperty() monthly_characters: number;
  @ApiProperty({ nullable: true, type: Number, description: 'null: unlimited.' }) requests_per_hour: number | null;
  @ApiProperty({ type: [String] }) features: string[];
}

export class CheckoutResponse {
  @ApiProperty({ description: 'Stripe Checkout page to send the person to.' }) url: string;
  @ApiProperty() session_id: string;
}

export class PortalResponse {
  @ApiProperty() url: string;
}

export class RenewalView {
  @ApiProperty() at: Date;
  @ApiProperty({ description: 'Cents.' }) amount: number;
}

export class PreviewResponse {
  @ApiProperty() plan_id: string;
  @ApiProperty({ enum: ['upgrade', 'downgrade', 'cancel'] }) change: string;
  @ApiProperty({ enum: ['now', 'period_end'] }) effective: string;
  @ApiProperty({ description: 'Cents charged now (the proration), from Stripe’s invoice preview.' })
  amount_due_now: number;
  @ApiProperty({ type: RenewalView }) next_renewal: RenewalView;
  @ApiProperty() currency: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Send it with the change so the charge equals this preview.',
  })
  proration_date: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Send it with proration_date; valid for 15 minutes.' })
  preview_token: string | null;
}

export class ChangeResponse {
  @ApiProperty({ enum: ['upgrade', 'downgrade', 'cancel', 'restore'] }) change: string;
  @ApiProperty({ enum: ['now', 'period_end'] }) effective: string;
  @ApiProperty() plan_id: string;
}

export class CancelResponse {
  @ApiProperty() canceled: boolean;
  @ApiProperty() at_period_end: boolean;
  @ApiProperty({ nullable: true, type: Date }) ends_at: Date | null;
}

export class ReactivateResponse {
  @ApiProperty({ description: 'true: the pending cancel was undone. false: buy again at url.' }) reactivated: boolean;
  @ApiPropertyOptional() url?: string;
  @ApiPropertyOptional() session_id?: string;
}

export class PaygResponse {
  @ApiProperty({ description: 'As Stripe confirms it.' }) payg_enabled: boolean;
  @ApiPropertyOptional({ description: 'No subscription yet: complete this checkout to turn PAYG on.' }) url?: string;
  @ApiPropertyOptional() session_id?: string;
}
