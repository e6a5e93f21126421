import { defineShredder } from './define';

/** Present for pretix clients; a no-op until tixport issues invoices (it exports and erases nothing). */
export default defineShredder({
  identifier: 'invoices',
  verboseName: 'Invoices',
  description:
    'This will remove all invoice PDFs, as well as any of their text content that might contain personal data from the database. Invoice numbers and totals will be conserved.',
  taxRelevant: true,
});
