// Generates java_double_table.tsv: raw IEEE bits (hex) <TAB> Double.toString(value).
// Run with JDK 19+ (shortest-repr algorithm, JDK-4511638 fixed), e.g. Temurin 25, for
// java_double_table.tsv, and with OpenJDK 17 (classic FloatingDecimal) for
// java_double_table_jdk17.tsv:
//   java JavaDoubleTable.java > java_double_table.tsv
import java.util.Random;

public class JavaDoubleTable {
    public static void main(String[] args) {
        Random r = new Random(20261125L);
        StringBuilder sb = new StringBuilder();
        double[] fixed = {0.0, -0.0, 1.0, 231.0, 2.31, 0.64, 2048.0, 1.0E-4, 0.001, 9.99E-4, 1.0E7,
            9999999.0, 9999999.999, 1.2345678E7, 1.0E23, 2.0E23, 1.0E-323, Double.MIN_VALUE,
            Double.MAX_VALUE, Double.MIN_NORMAL, 0.1 + 0.2, 1.0 / 3.0, Math.pow(2, -44), 5.0E-324 * 3,
            123456789012345678.0, 0.30000000000000004, 100.0, 1.0E21, 1.0E22, -1.5E-5};
        for (double d : fixed) line(sb, d);
        for (int i = 0; i < 3000; i++) {
            double d;
            switch (i % 4) {
                case 0: d = Double.longBitsToDouble(r.nextLong()); break;
                case 1: d = r.nextDouble() * Math.pow(10, r.nextInt(30) - 12); break;
                case 2: d = Math.round(r.nextDouble() * 1e6) / Math.pow(10, r.nextInt(8)); break;
                default: d = (double) (r.nextInt(2000000) - 1000000) * Math.pow(2, r.nextInt(80) - 40);
            }
            if (Double.isNaN(d)) continue;
            line(sb, d);
        }
        System.out.print(sb);
    }

    static void line(StringBuilder sb, double d) {
        sb.append(String.format("%016x", Double.doubleToRawLongBits(d))).append('\t')
          .append(Double.toString(d)).append('\n');
    }
}
