fn main() {
    println!("upexport");
}
