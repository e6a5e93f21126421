import { erasePaymentInfo } from '../../orders/orders.repository';
import { defineShredder } from './define';

/** No download, as in pretix: what a payment provider stored is scrubbed, the payments themselves stay. */
export default defineShredder({
  identifier: 'payment_info',
  verboseName: 'Payment information',
  description:
    'This will remove payment-related information. Depending on the payment method, all data will be removed or personal data only. No download will be offered.',
  taxRelevant: true,
  erase: erasePaymentInfo,
});
